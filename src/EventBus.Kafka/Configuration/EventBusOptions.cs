namespace EventBus.Kafka.Configuration;

/// <summary>
/// Every EventBus setting: connection and security, producer, consumer and topics. Bind it from the environment
/// with <see cref="FromEnvironment"/> (or <see cref="FromVariables"/> in tests), or from IConfiguration through the
/// hosting package, where the <c>KAFKA_*</c> variables win.
/// </summary>
public sealed class EventBusOptions
{
    /// <summary>The configuration section the hosting package binds (<c>EventBus</c>, so <c>EventBus__Producer__LingerMs</c>).</summary>
    public const string SectionName = "EventBus";

    /// <summary>Gets the connection and security settings.</summary>
    public KafkaConnectionOptions Connection { get; } = new();

    /// <summary>Gets the producer settings.</summary>
    public KafkaProducerOptions Producer { get; } = new();

    /// <summary>Gets the consumer settings.</summary>
    public KafkaConsumerOptions Consumer { get; } = new();

    /// <summary>Gets the topic settings.</summary>
    public KafkaTopicOptions Topics { get; } = new();

    /// <summary>
    /// Gets the warnings found while reading the variables: unknown <c>KAFKA_*</c> names close to a known one (ignored as
    /// written) and topic keys close to a setting (read as topic keys). Each names the variable and the one it resembles,
    /// never a value. They do not stop start-up; log them once, at start-up.
    /// </summary>
    /// <value>Empty when no variable looks misspelt, or when the options were not bound from variables.</value>
    public IReadOnlyList<ConfigurationWarning> ConfigurationWarnings => BindingWarnings.AsReadOnly();

    /// <summary>Problems found while reading variables (a value that is not a number, an unknown name...), reported by validation.</summary>
    internal List<ConfigurationProblem> BindingProblems { get; } = [];

    /// <summary>Warnings found while reading variables; <see cref="ConfigurationWarnings"/> shows them.</summary>
    internal List<ConfigurationWarning> BindingWarnings { get; } = [];

    /// <summary>1 once <see cref="ConfigurationLog.WarningsOnce"/> has logged the warnings of these options.</summary>
    internal int WarningsLogged;

    /// <summary>Reads the process environment and validates the result.</summary>
    /// <returns>The validated options.</returns>
    /// <exception cref="EventBusConfigurationException">A variable is missing or invalid; the message lists every problem.</exception>
    public static EventBusOptions FromEnvironment() => FromVariables(EnvironmentVariableBinder.ReadProcessEnvironment());

    /// <summary>Reads the given variables (not the process environment) and validates the result.</summary>
    /// <param name="variables">Variable names and values, as the environment would hold them.</param>
    /// <returns>The validated options.</returns>
    /// <exception cref="EventBusConfigurationException">A variable is missing or invalid; the message lists every problem.</exception>
    public static EventBusOptions FromVariables(IEnumerable<KeyValuePair<string, string?>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var options = new EventBusOptions();
        EnvironmentVariableBinder.Bind(options, variables);
        EventBusOptionsValidator.ThrowIfInvalid(options, EventBusClientKinds.Producer);
        return options;
    }

    /// <summary>Returns every setting on one line with secrets redacted.</summary>
    /// <returns>A description safe for logs.</returns>
    public override string ToString() =>
        $"Connection: {Connection}; Producer: {Producer}; Consumer: {Consumer}; Topics: {Topics}";
}
