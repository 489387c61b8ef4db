namespace EventBus.Kafka.Topics;

/// <summary>Provisioning failed; <see cref="Report"/> lists every error with what to change.</summary>
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
        : base("Topic provisioning failed with " + report?.Errors.Count + " error(s):" + Environment.NewLine + report)
    {
        Report = report;
    }

    /// <summary>Gets the report, when the exception comes from a provisioning run.</summary>
    public TopicProvisioningReport? Report { get; }
}
