namespace EventBus.Kafka.Configuration;

/// <summary>One thing wrong with the configuration, with the variable that fixes it.</summary>
/// <param name="Variable">The environment variable to set or change, e.g. <c>KAFKA_BOOTSTRAP_SERVERS</c>.</param>
/// <param name="Message">What is wrong and what to do. Never contains a secret value.</param>
public sealed record ConfigurationProblem(string Variable, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Variable}: {Message}";
}
