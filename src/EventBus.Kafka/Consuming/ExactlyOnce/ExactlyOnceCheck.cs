using Confluent.Kafka;
using EventBus.Kafka.Configuration;
using static EventBus.Kafka.Configuration.EventBusEnvironmentVariables;

namespace EventBus.Kafka.Consuming.ExactlyOnce;

/// <summary>The settings exactly-once mode needs and the ones it cannot work with, named, for the builder's one exception.</summary>
internal static class ExactlyOnceCheck
{
    /// <summary>Adds a problem for each setting that conflicts with <see cref="EventConsumerOptions.ExactlyOnce"/>.</summary>
    /// <param name="options">The options.</param>
    /// <param name="consumerOptions">The processing options (variables applied).</param>
    /// <param name="nameOf">Names where a processing property's value came from.</param>
    /// <param name="add">Receives the name and the problem.</param>
    public static void CollectProblems(EventBusOptions options, EventConsumerOptions consumerOptions, Func<string, string> nameOf, Action<string, string> add)
    {
        if (!consumerOptions.ExactlyOnce)
        {
            return;
        }

        var mode = nameOf(nameof(EventConsumerOptions.ExactlyOnce));
        if (!options.Producer.EnableIdempotence)
        {
            add(nameof(KafkaProducerOptions) + "." + nameof(KafkaProducerOptions.EnableIdempotence),
                $"is false, but {mode} needs the idempotent producer: transactions are built on it. Leave it at true.");
        }
        else if (options.Producer.Acks != Acks.All)
        {
            add(ProducerAcks, $"must be all with {mode}: transactions need acks=all.");
        }

        if (options.Producer.AdditionalProperties.TryGetValue("enable.idempotence", out var idempotence)
            && string.Equals(idempotence.Trim(), "false", StringComparison.OrdinalIgnoreCase))
        {
            add("KafkaProducerOptions.AdditionalProperties[enable.idempotence]", $"is false, but {mode} needs the idempotent producer; remove it.");
        }

        if (options.Producer.AdditionalProperties.ContainsKey("transactional.id") || options.Connection.AdditionalProperties.ContainsKey("transactional.id"))
        {
            add("AdditionalProperties[transactional.id]", $"is set, but {mode} gives each transactional producer its own id (per group, topic and partition); remove it.");
        }

        if ((options.Consumer.AdditionalProperties.TryGetValue("isolation.level", out var isolation)
                || options.Connection.AdditionalProperties.TryGetValue("isolation.level", out isolation))
            && !string.Equals(isolation.Trim(), "read_committed", StringComparison.OrdinalIgnoreCase))
        {
            add("KafkaConsumerOptions.AdditionalProperties[isolation.level]",
                $"is '{isolation}', but {mode} reads its input read_committed (an aborted upstream record must not be processed); remove it.");
        }

        if (consumerOptions.CommitMode == CommitMode.PerMessage)
        {
            add(nameOf(nameof(EventConsumerOptions.CommitMode)),
                $"is PerMessage, which does not apply with {mode}: commits are transactions, one per commit cycle. " +
                $"For a transaction per record set {nameOf(nameof(EventConsumerOptions.TransactionMaxRecords))} to 1 (slow: a commit per record).");
        }
    }
}
