using EventBus.Kafka.Configuration;
using EventBus.Kafka.Consuming;

namespace EventBus.Kafka.Hosting.Consumers;

/// <summary>One consumer added with <see cref="EventBusBuilder.AddConsumer"/>: its processing options and its handlers.</summary>
internal sealed class ConsumerRegistration
{
    /// <summary>Initializes a new instance of the <see cref="ConsumerRegistration"/> class.</summary>
    /// <param name="number">Its number among the consumers of the service, from 1 (for logs and problems).</param>
    public ConsumerRegistration(int number) => Number = number;

    /// <summary>Gets the consumer's number, from 1.</summary>
    public int Number { get; }

    /// <summary>Gets the changes to the processing options, in order.</summary>
    public List<Action<EventConsumerOptions>> Configure { get; } = [];

    /// <summary>Gets the handlers.</summary>
    public List<HandlerRoute> Routes { get; } = [];

    /// <summary>Gets the topic key of the dead-letter topic the options give (the default <c>DLQ</c> unless changed).</summary>
    /// <returns>The key.</returns>
    public string GetDeadLetterTopicKey()
    {
        var options = new EventConsumerOptions();
        Configure.ForEach(c => c(options));
        return options.DeadLetterTopicKey;
    }

    /// <summary>Describes the consumer for logs: its number and its topic keys or names.</summary>
    /// <returns>E.g. <c>consumer 1 (ORDERS, AUDIT)</c>.</returns>
    public override string ToString() =>
        $"consumer {Number} ({string.Join(", ", Routes.Select(r => r.TopicKey is null ? "topic " + r.TopicName : EventBusEnvironmentVariables.ForTopic(r.TopicKey)[EventBusEnvironmentVariables.TopicPrefix.Length..]))})";
}
