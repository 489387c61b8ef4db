namespace EventBus.Kafka.Consuming;

/// <summary>What <see cref="FetchStartWatchdog"/> keeps of one partition that has received nothing since it was assigned.</summary>
/// <param name="Since">When the watchdog first saw the partition (<see cref="TimeProvider"/> timestamp).</param>
/// <param name="Due">When the watchdog assigns it again if it still has received nothing.</param>
/// <param name="Wait">How long the watchdog waits after <paramref name="Due"/> before the next time.</param>
internal sealed record FetchStartWatch(long Since, long Due, TimeSpan Wait);
