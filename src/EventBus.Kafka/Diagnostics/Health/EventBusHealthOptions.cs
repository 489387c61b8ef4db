namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>How EventBus decides liveness and readiness (<see cref="EventBusHealthChecker"/>).</summary>
public sealed class EventBusHealthOptions
{
    /// <summary>The default of <see cref="MaxPollStall"/> when max.poll.interval.ms is longer: two minutes.</summary>
    public static readonly TimeSpan DefaultMaxPollStall = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets how long a running consumer's poll loop may go without polling before liveness calls it stuck.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: <c>KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS</c> (after which Kafka
    /// itself drops the member from the group) or <see cref="DefaultMaxPollStall"/>, whichever is shorter.
    /// </value>
    /// <remarks>
    /// A working loop polls at least every second, however slow the handlers (back-pressure keeps it polling). It
    /// pauses longer only inside a rebalance: a revocation waits for in-flight records for at most
    /// <see cref="Consuming.EventConsumerOptions.RevokeTimeout"/> (30 s by default), and the service's own
    /// partition callbacks run there too. Keep the bound above that.
    /// </remarks>
    public TimeSpan? MaxPollStall { get; set; }

    /// <summary>Gets or sets how long readiness waits for the cluster to answer its metadata request.</summary>
    /// <value>The default value is 3 seconds.</value>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Gets or sets how long the answer of one metadata request is reused: checks that come more often (several
    /// probes, the JSON report) share it, so the cluster sees at most one request per interval.
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets a value indicating whether readiness requires every configured topic (<c>KAFKA_TOPIC_*</c>) to exist.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RequireTopics { get; set; } = true;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A duration is zero or negative.</exception>
    public void Validate()
    {
        if (MaxPollStall is { } stall)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stall, TimeSpan.Zero, nameof(MaxPollStall));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ProbeTimeout, TimeSpan.Zero, nameof(ProbeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeInterval, TimeSpan.Zero, nameof(ProbeInterval));
    }
}
