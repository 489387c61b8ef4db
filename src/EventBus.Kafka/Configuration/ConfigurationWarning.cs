namespace EventBus.Kafka.Configuration;

/// <summary>
/// A variable that is probably misspelt but does not stop start-up: an unknown <c>KAFKA_*</c> name close to a known
/// one (ignored as written), or a <c>KAFKA_TOPIC_*</c> topic key close to a setting (read as a topic key).
/// </summary>
/// <param name="Variable">The variable as it is set, e.g. <c>KAFKA_BOOTSTRAP_SERVER</c>.</param>
/// <param name="SuggestedVariable">The variable it resembles, e.g. <c>KAFKA_BOOTSTRAP_SERVERS</c>.</param>
/// <param name="Message">What was done with the variable and what to do. Never contains a variable's value.</param>
/// <remarks>Found by <see cref="EnvironmentVariableBinder.Bind"/> and listed in <see cref="EventBusOptions.ConfigurationWarnings"/>.</remarks>
public sealed record ConfigurationWarning(string Variable, string SuggestedVariable, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Variable}: {Message}";
}
