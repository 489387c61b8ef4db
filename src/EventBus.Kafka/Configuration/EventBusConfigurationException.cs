namespace EventBus.Kafka.Configuration;

/// <summary>The configuration is invalid. <see cref="Problems"/> lists every problem at once, each naming the variable to set.</summary>
public sealed class EventBusConfigurationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="EventBusConfigurationException"/> class.</summary>
    public EventBusConfigurationException()
        : this([])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EventBusConfigurationException"/> class with one message.</summary>
    /// <param name="message">The message.</param>
    public EventBusConfigurationException(string message)
        : base(message)
    {
        Problems = [];
    }

    /// <summary>Initializes a new instance of the <see cref="EventBusConfigurationException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EventBusConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    /// <summary>Initializes a new instance of the <see cref="EventBusConfigurationException"/> class from the problems found.</summary>
    /// <param name="problems">Every problem found.</param>
    public EventBusConfigurationException(IReadOnlyList<ConfigurationProblem> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Gets every problem found, each naming the variable to set.</summary>
    public IReadOnlyList<ConfigurationProblem> Problems { get; }

    internal static string FormatMessage(IReadOnlyList<ConfigurationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0)
        {
            return "The EventBus configuration is invalid.";
        }

        var noun = problems.Count == 1 ? "problem" : "problems";
        return $"The EventBus configuration has {problems.Count} {noun}; set these environment variables:"
            + Environment.NewLine
            + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
    }
}
