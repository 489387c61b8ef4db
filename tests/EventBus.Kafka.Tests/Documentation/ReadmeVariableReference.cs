using System.Text.RegularExpressions;

namespace EventBus.Kafka.Tests.Documentation;

/// <summary>
/// The variable names the README's "Environment variable reference" table documents: every backticked name in the
/// first column of the first table under that heading. A suffix written alone (<c>`_REPLICATION`</c>, after
/// <c>`KAFKA_TOPIC_{KEY}_PARTITIONS`</c>) belongs to the <c>KAFKA_TOPIC_{KEY}</c> of its row.
/// </summary>
internal static partial class ReadmeVariableReference
{
    /// <summary>The heading of the section the table is in.</summary>
    public const string Heading = "### Environment variable reference";

    /// <summary>How the README writes the logical topic key in a variable name.</summary>
    public const string TopicKeyPlaceholder = "{KEY}";

    /// <summary>Gets the README of the repository these tests were built from.</summary>
    /// <returns>The README's path.</returns>
    public static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventBus.sln")))
            {
                return Path.Combine(dir.FullName, "README.md");
            }
        }

        throw new FileNotFoundException($"No EventBus.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Reads the documented names, each with the table row it came from.</summary>
    /// <param name="readme">The README's text.</param>
    /// <returns>Name → the row (for messages).</returns>
    public static IReadOnlyDictionary<string, string> Read(string readme)
    {
        var lines = readme.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim() == Heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"README.md has no '{Heading}' heading.");
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var inTable = false;
        for (var i = start + 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith('#'))
            {
                break;
            }

            if (!line.StartsWith('|'))
            {
                if (inTable)
                {
                    break; // the first table ends
                }

                continue;
            }

            var cells = line.Split('|');
            var first = cells.Length > 1 ? cells[1].Trim() : string.Empty;
            if (!inTable)
            {
                inTable = true; // the header row
                continue;
            }

            if (first.StartsWith("---", StringComparison.Ordinal))
            {
                continue;
            }

            string? stem = null;
            foreach (Match match in BacktickedName().Matches(first))
            {
                var name = match.Groups[1].Value;
                if (name.StartsWith('_'))
                {
                    name = (stem ?? throw new InvalidOperationException(
                        $"README.md, {Heading}: '{name}' in row '{line}' is a suffix without a KAFKA_TOPIC_{TopicKeyPlaceholder}... name before it; write the whole name.")) + name;
                }
                else if (name.Contains(TopicKeyPlaceholder, StringComparison.Ordinal))
                {
                    stem = name[..(name.IndexOf(TopicKeyPlaceholder, StringComparison.Ordinal) + TopicKeyPlaceholder.Length)];
                }

                names.TryAdd(name, line);
            }
        }

        if (names.Count == 0)
        {
            throw new InvalidOperationException($"README.md, {Heading}: no table with variable names found.");
        }

        return names;
    }

    [GeneratedRegex(@"`([A-Z_][A-Z0-9_{}]*)`")]
    private static partial Regex BacktickedName();
}
