using System.Collections;
using System.Globalization;
using System.Reflection;
using EventBus.Kafka.Configuration;

namespace EventBus.Kafka.Tests.Documentation;

/// <summary>
/// Issue 17: the README's environment variable reference cannot drift from the code. The names come from
/// <see cref="EventBusEnvironmentVariables"/> (its constants, read by reflection, not a copy), and the binder is shown to
/// read each of them: setting one changes the options or makes a problem that names it.
/// </summary>
public sealed class EnvironmentVariableReferenceTests
{
    private const string TopicKey = "DOCCHECK";

    [Fact]
    public void Readme_DocumentsEveryVariableTheBinderReads()
    {
        var documented = ReadmeVariableReference.Read(File.ReadAllText(ReadmeVariableReference.ReadmePath()));

        var undocumented = CodeVariables().Where(name => !documented.ContainsKey(name)).ToList();

        Assert.True(undocumented.Count == 0,
            $"README.md ({ReadmeVariableReference.Heading}) does not document: {string.Join(", ", undocumented)}. Add a row for each (default and meaning).");
    }

    [Fact]
    public void Readme_DocumentsOnlyVariablesTheBinderReads()
    {
        var documented = ReadmeVariableReference.Read(File.ReadAllText(ReadmeVariableReference.ReadmePath()));
        var code = CodeVariables().ToHashSet(StringComparer.Ordinal);

        var unknown = documented.Where(d => !code.Contains(d.Key)).Select(d => $"{d.Key} (row: {d.Value})").ToList();

        Assert.True(unknown.Count == 0,
            $"README.md ({ReadmeVariableReference.Heading}) documents variables EventBus does not read: {string.Join("; ", unknown)}.");
    }

    [Fact]
    public void Binder_ReadsEveryVariableItDeclares()
    {
        var ignored = new List<string>();
        foreach (var name in CodeVariables())
        {
            var variable = name.Replace(ReadmeVariableReference.TopicKeyPlaceholder, TopicKey, StringComparison.Ordinal);
            if (!IsRead(variable))
            {
                ignored.Add(name);
            }
        }

        Assert.True(ignored.Count == 0,
            $"EventBusEnvironmentVariables declares names the binder ignores (setting them changes nothing and reports nothing): {string.Join(", ", ignored)}.");
    }

    [Fact]
    public void SpellingCheck_KnowsEveryDeclaredVariable()
    {
        var declared = Constants().Where(c => c.Value.Length > 0 && !c.Value.StartsWith('_') && !c.Value.EndsWith('_')).Select(c => c.Value);

        Assert.Equal(declared.Order(StringComparer.Ordinal), VariableSpellingCheck.KnownVariables.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The names the binder reads, from <see cref="EventBusEnvironmentVariables"/>: each whole name, the topic prefix as
    /// <c>KAFKA_TOPIC_{KEY}</c>, and each per-topic suffix as <c>KAFKA_TOPIC_{KEY}{suffix}</c>.
    /// </summary>
    private static IEnumerable<string> CodeVariables()
    {
        var topic = EventBusEnvironmentVariables.TopicPrefix + ReadmeVariableReference.TopicKeyPlaceholder;
        foreach (var (_, value) in Constants())
        {
            if (value == EventBusEnvironmentVariables.TopicPrefix)
            {
                yield return topic;
            }
            else if (value.StartsWith('_'))
            {
                yield return topic + value;
            }
            else
            {
                yield return value;
            }
        }
    }

    private static IEnumerable<(string Name, string Value)> Constants() =>
        typeof(EventBusEnvironmentVariables)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    /// <summary>
    /// Whether binding the variable changes anything: a value that is no valid setting ('§') makes typed variables
    /// report a problem naming them, and string variables change an option.
    /// </summary>
    private static bool IsRead(string variable)
    {
        var baseline = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [EventBusEnvironmentVariables.BootstrapServers] = "broker-1:9092",
            [EventBusEnvironmentVariables.ServiceName] = "orders",
        };
        if (variable.StartsWith(EventBusEnvironmentVariables.ForTopic(TopicKey) + "_", StringComparison.Ordinal))
        {
            baseline[EventBusEnvironmentVariables.ForTopic(TopicKey)] = "doc.check"; // an override needs its topic
        }

        var before = Bind(baseline, out _);
        var probe = new Dictionary<string, string?>(baseline, StringComparer.Ordinal);
        foreach (var value in new[] { "§", "doc-check-value" })
        {
            probe[variable] = value;
            var after = Bind(probe, out var problems);
            if (problems.Any(p => p.Variable == variable) || !before.SequenceEqual(after))
            {
                return true;
            }
        }

        return false;
    }

    private static List<string> Bind(Dictionary<string, string?> variables, out List<ConfigurationProblem> problems)
    {
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, variables);
        problems = options.BindingProblems;
        var snapshot = new List<string>();
        Snapshot("options", options, snapshot, depth: 0);
        return snapshot;
    }

    /// <summary>Every public property value of the options graph, as path=value lines.</summary>
    private static void Snapshot(string path, object? value, List<string> into, int depth)
    {
        switch (value)
        {
            case null:
                into.Add($"{path}=null");
                return;
            case string or Enum or TimeSpan or bool or char or decimal or Uri or Type:
            case var _ when value.GetType().IsPrimitive:
                into.Add(string.Create(CultureInfo.InvariantCulture, $"{path}={value}"));
                return;
            case Delegate:
                into.Add($"{path}=delegate");
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    Snapshot($"{path}[{entry.Key}]", entry.Value, into, depth + 1);
                }

                into.Add($"{path}.count={dictionary.Count}");
                return;
            case IEnumerable sequence:
                var index = 0;
                foreach (var item in sequence)
                {
                    Snapshot($"{path}[{index++}]", item, into, depth + 1);
                }

                into.Add($"{path}.count={index}");
                return;
        }

        if (depth > 6)
        {
            into.Add($"{path}={value}");
            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            object? child;
            try
            {
                child = property.GetValue(value);
            }
            catch (TargetInvocationException ex)
            {
                child = "throws " + ex.InnerException?.GetType().Name;
            }

            Snapshot($"{path}.{property.Name}", child, into, depth + 1);
        }
    }
}
