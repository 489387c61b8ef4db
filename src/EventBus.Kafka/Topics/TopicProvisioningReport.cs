using System.Text;

namespace EventBus.Kafka.Topics;

/// <summary>What a provisioning run (plan, apply or verify) found and did.</summary>
public sealed class TopicProvisioningReport
{
    internal TopicProvisioningReport(string operation, bool adminApiAvailable, int brokerCount)
    {
        Operation = operation;
        AdminApiAvailable = adminApiAvailable;
        BrokerCount = brokerCount;
    }

    /// <summary>Gets the operation: <c>plan</c>, <c>apply</c> or <c>verify</c>.</summary>
    public string Operation { get; }

    /// <summary>Gets the topics the configuration requires.</summary>
    public IReadOnlyList<string> Required => RequiredList;

    /// <summary>Gets the topics created (in a plan: that would be created).</summary>
    public IReadOnlyList<string> Created => CreatedList;

    /// <summary>Gets the specification of each topic in <see cref="Created"/>: partitions, replication factor, configs.</summary>
    public IReadOnlyList<TopicPlan> Plans => PlanList;

    /// <summary>Gets the required topics that already existed (including ones another instance created concurrently).</summary>
    public IReadOnlyList<string> Existing => ExistingList;

    /// <summary>Gets the required topics still missing at the end (not created, or not allowed to be).</summary>
    public IReadOnlyList<string> Missing => MissingList;

    /// <summary>Gets the differences between existing topics and their specifications.</summary>
    public IReadOnlyList<TopicDrift> Drift => DriftList;

    /// <summary>Gets the errors; a fatal one fails start-up.</summary>
    public IReadOnlyList<TopicProvisioningError> Errors => ErrorList;

    /// <summary>Gets notes: expected conditions (already exists), retries, and fallbacks.</summary>
    public IReadOnlyList<string> Notes => NoteList;

    /// <summary>Gets a value indicating whether the cluster answered the admin API (CreateTopics, DescribeConfigs).</summary>
    public bool AdminApiAvailable { get; internal set; }

    /// <summary>Gets the number of brokers in the cluster.</summary>
    public int BrokerCount { get; }

    /// <summary>Gets when the topics were last verified against the cluster.</summary>
    public DateTimeOffset? LastVerification { get; internal set; }

    /// <summary>Gets a value indicating whether there were no errors.</summary>
    public bool Succeeded => ErrorList.Count == 0;

    internal List<string> RequiredList { get; } = [];

    internal List<string> CreatedList { get; } = [];

    internal List<string> ExistingList { get; } = [];

    internal List<TopicPlan> PlanList { get; } = [];

    internal List<string> MissingList { get; } = [];

    internal List<TopicDrift> DriftList { get; } = [];

    internal List<TopicProvisioningError> ErrorList { get; } = [];

    internal List<string> NoteList { get; } = [];

    /// <summary>Returns a multi-line summary, one line per finding.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Operation).Append(": ").Append(RequiredList.Count).Append(" required, ")
            .Append(CreatedList.Count).Append(Operation == "plan" ? " to create, " : " created, ")
            .Append(ExistingList.Count).Append(" existing, ").Append(MissingList.Count).Append(" missing, ")
            .Append(DriftList.Count).Append(" drift, ").Append(ErrorList.Count).Append(" error(s); ")
            .Append(BrokerCount).Append(" broker(s), admin API ").Append(AdminApiAvailable ? "available" : "not available").AppendLine();
        foreach (var topic in CreatedList)
        {
            var plan = PlanList.Find(p => p.Topic == topic);
            text.Append("  ").Append(Operation == "plan" ? "create " : "created ").AppendLine(plan?.ToString() ?? topic);
        }

        foreach (var drift in DriftList)
        {
            text.Append("  drift ").AppendLine(drift.ToString());
        }

        foreach (var error in ErrorList)
        {
            text.Append("  error ").AppendLine(error.ToString());
        }

        foreach (var note in NoteList)
        {
            text.Append("  note ").AppendLine(note);
        }

        return text.ToString();
    }
}
