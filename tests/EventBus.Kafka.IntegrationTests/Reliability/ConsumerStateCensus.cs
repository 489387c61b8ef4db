using System.Collections;
using System.Reflection;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// What a running <see cref="EventConsumer"/> holds, found by walking its object graph through every field of the
/// library's own types (whatever the fields are called, so the census survives refactoring): the lanes and partition
/// states it keeps, and the largest collection anywhere inside it. Collections of plain values (offsets) are counted,
/// not enumerated, so walking a running consumer is safe.
/// </summary>
internal sealed record ConsumerStateCensus(int Lanes, int Partitions, int LargestCollection, string LargestCollectionAt)
{
    private static readonly Assembly Library = typeof(EventConsumer).Assembly;

    public static ConsumerStateCensus Of(EventConsumer consumer)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Walk(consumer);
            }
            catch (InvalidOperationException) when (attempt < 20)
            {
                // A dictionary changed under the walk (a rebalance): walk again.
            }
        }
    }

    /// <summary>
    /// For a scenario that is stuck: every partition state the consumer holds (dispatched, finished, committed, paused,
    /// revoked, its lanes' queues) and the Confluent consumer's assignment with each partition's position.
    /// </summary>
    /// <param name="consumer">The consumer.</param>
    /// <returns>One line per partition.</returns>
    public static string Describe(EventConsumer consumer)
    {
        var states = new List<PartitionState>();
        object? client = null;
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Queue<(object Value, string Path)>();
        pending.Enqueue((consumer, ""));
        while (pending.Count > 0 && seen.Count < 50_000)
        {
            var (value, _) = pending.Dequeue();
            if (!seen.Add(value))
            {
                continue;
            }

            if (value is PartitionState state)
            {
                states.Add(state);
            }

            if (value.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Confluent.Kafka.IConsumer<,>)))
            {
                client = value;
                continue;
            }

            if (value is IEnumerable collection && CountOf(value) is not null)
            {
                if (MayHoldLibraryObjects(value.GetType()))
                {
                    try
                    {
                        foreach (var element in collection)
                        {
                            Follow(element, "", pending);
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        // Changed under us; this is a diagnostic.
                    }
                }

                continue;
            }

            for (var t = value.GetType(); t is not null && t.Assembly == Library; t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    var fieldValue = field.GetValue(value);
                    if (fieldValue is not null && fieldValue.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Confluent.Kafka.IConsumer<,>)))
                    {
                        pending.Enqueue((fieldValue, ""));
                    }
                    else
                    {
                        Follow(fieldValue, "", pending);
                    }
                }
            }
        }

        var lines = states.OrderBy(s => s.TopicPartition.Partition.Value).Select(s =>
            $"[{s.TopicPartition.Partition.Value}] dispatched {s.Dispatched}, finished {s.Finished}, committed {s.Committed}, committable {s.Tracker.Committable}, paused {s.Paused}, revoked {s.Revoked}, removed {s.Removed}, lanes {string.Join("/", s.Lanes.Select(l => $"{l.Queue.Count}q{(l.Running == 1 ? "+run" : "")}"))}").ToList();
        if (client is Confluent.Kafka.IConsumer<byte[]?, byte[]?> confluent)
        {
            try
            {
                lines.Add("librdkafka: " + string.Join(", ", confluent.Assignment.Select(tp => $"[{tp.Partition.Value}] position {confluent.Position(tp).Value}")));
            }
            catch (Confluent.Kafka.KafkaException ex)
            {
                lines.Add("librdkafka: " + ex.Message);
            }
        }

        return string.Join(" | ", lines);
    }

    public override string ToString() => $"{Partitions} partitions, {Lanes} lanes; largest collection {LargestCollection} ({LargestCollectionAt})";

    private static ConsumerStateCensus Walk(object root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Queue<(object Value, string Path)>();
        pending.Enqueue((root, root.GetType().Name));
        int lanes = 0, partitions = 0, largest = 0;
        var largestAt = "";
        while (pending.Count > 0 && seen.Count < 200_000)
        {
            var (value, path) = pending.Dequeue();
            if (!seen.Add(value))
            {
                continue;
            }

            var type = value.GetType();
            lanes += value is Lane ? 1 : 0;
            partitions += value is PartitionState ? 1 : 0;
            if (value is IEnumerable collection && CountOf(value) is { } count)
            {
                if (count > largest)
                {
                    (largest, largestAt) = (count, path);
                }

                if (MayHoldLibraryObjects(type))
                {
                    foreach (var element in collection)
                    {
                        Follow(element, path + "[]", pending);
                    }
                }

                continue;
            }

            if (type.Assembly != Library)
            {
                continue;
            }

            for (var t = type; t is not null && t.Assembly == Library; t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    Follow(field.GetValue(value), $"{t.Name}.{field.Name}", pending);
                }
            }
        }

        return new ConsumerStateCensus(lanes, partitions, largest, largestAt);
    }

    private static void Follow(object? value, string path, Queue<(object, string)> pending)
    {
        switch (value)
        {
            case null or string or Delegate or Type or Pointer:
                return;
            case var v when v.GetType().IsGenericType && v.GetType().GetGenericTypeDefinition() == typeof(KeyValuePair<,>):
                Follow(v.GetType().GetProperty("Key")!.GetValue(v), path + ".Key", pending);
                Follow(v.GetType().GetProperty("Value")!.GetValue(v), path + ".Value", pending);
                return;
            case IEnumerable when CountOf(value) is not null:
                pending.Enqueue((value, path));
                return;
            default:
                if (value.GetType().Assembly == Library)
                {
                    pending.Enqueue((value, path));
                }

                return;
        }
    }

    /// <summary>The number of elements of a collection (ICollection, or any collection with a Count: HashSet, ConcurrentDictionary...).</summary>
    private static int? CountOf(object value) => value switch
    {
        ICollection c => c.Count,
        _ => value.GetType().GetProperty("Count", BindingFlags.Instance | BindingFlags.Public)?.GetValue(value) as int?,
    };

    /// <summary>Whether the elements of a collection type can be (or contain) the library's objects: not for offsets, bytes, records.</summary>
    private static bool MayHoldLibraryObjects(Type type)
    {
        var element = type.IsArray ? [type.GetElementType()!] : type.GetGenericArguments();
        return element.Length == 0 || element.Any(e => e.Assembly == Library || e == typeof(object) || (e.IsGenericType && e.GetGenericArguments().Any(a => a.Assembly == Library)));
    }
}
