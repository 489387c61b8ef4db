using EventBus.Kafka.Diagnostics;

namespace EventBus.Kafka.Topics;

/// <summary>
/// Provisioning failed; <see cref="Report"/> lists every error with what to change, and <see cref="Diagnosis"/> says
/// the class of a client failure (unreachable, TLS, authentication, authorization) when one caused it.
/// </summary>
public sealed class TopicProvisioningException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="TopicProvisioningException"/> class.</summary>
    public TopicProvisioningException()
        : this("Topic provisioning failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TopicProvisioningException"/> class.</summary>
    /// <param name="message">The message.</param>
    public TopicProvisioningException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TopicProvisioningException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TopicProvisioningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TopicProvisioningException"/> class from a report.</summary>
    /// <param name="report">The report with the errors.</param>
    public TopicProvisioningException(TopicProvisioningReport report)
        : this(report, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TopicProvisioningException"/> class from a report and the exception behind it.</summary>
    /// <param name="report">The report with the errors.</param>
    /// <param name="innerException">The client's exception, if any.</param>
    public TopicProvisioningException(TopicProvisioningReport report, Exception? innerException)
        : base("Topic provisioning failed with " + report?.Errors.Count + " error(s):" + Environment.NewLine + report, innerException)
    {
        Report = report;
        Diagnosis = report?.Errors.Select(e => e.Diagnosis).FirstOrDefault(d => d is not null);
    }

    /// <summary>Gets the report, when the exception comes from a provisioning run.</summary>
    public TopicProvisioningReport? Report { get; }

    /// <summary>Gets the diagnosed client failure behind the errors (the first one), when there is one.</summary>
    public KafkaDiagnosis? Diagnosis { get; }

    /// <summary>Gets the class of the client failure behind the errors, when there is one.</summary>
    public KafkaFailureKind? FailureKind => Diagnosis?.Kind;
}
