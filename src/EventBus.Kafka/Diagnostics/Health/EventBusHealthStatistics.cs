namespace EventBus.Kafka.Diagnostics.Health;

/// <summary>
/// The service's counts in the health report, summed over its producer and consumers: the names of the design's
/// health JSON, each read from <see cref="Producing.EventProducerStatistics"/>, <see cref="Consuming.EventConsumerStatistics"/>
/// or the provisioning report.
/// </summary>
/// <param name="MessagesSent">Messages the broker acknowledged to the producer (<c>MessagesSent</c>; dead-letter publishes through it included).</param>
/// <param name="MessagesFailed">Publishes that failed (the producer's <c>MessagesFailed</c>).</param>
/// <param name="MessagesReceived">Records the consumers took from the broker (the sum of <c>RecordsReceived</c>).</param>
/// <param name="MessagesProcessed">Records whose handler succeeded (the sum of <c>RecordsProcessed</c>).</param>
/// <param name="MessagesProcessingFailed">Records the consumers gave up on, each then dead-lettered (the sum of <c>RecordsFailed</c>).</param>
/// <param name="MessagesDeadLettered">Records the dead-letter topic acknowledged (the sum of <c>RecordsDeadLettered</c>).</param>
/// <param name="TopicsCreated">Topics the last provisioning run created (<see cref="Topics.TopicProvisioningReport.Created"/>).</param>
/// <param name="TopicCreationErrors">Errors of the last provisioning run (<see cref="Topics.TopicProvisioningReport.Errors"/>).</param>
/// <param name="Commits">Successful offset commits (the sum of <c>Commits</c>).</param>
/// <param name="CommitFailures">Failed offset commits (the sum of <c>CommitFailures</c>).</param>
/// <param name="Rebalances">Assignments, revocations and losses (the sum of <c>Rebalances</c>).</param>
public sealed record EventBusHealthStatistics(
    long MessagesSent,
    long MessagesFailed,
    long MessagesReceived,
    long MessagesProcessed,
    long MessagesProcessingFailed,
    long MessagesDeadLettered,
    int TopicsCreated,
    int TopicCreationErrors,
    long Commits,
    long CommitFailures,
    long Rebalances);
