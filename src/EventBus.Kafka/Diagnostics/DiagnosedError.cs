using Confluent.Kafka;

namespace EventBus.Kafka.Diagnostics;

/// <summary>An error that carries its diagnosis, so a failed message's exception can say it.</summary>
internal sealed class DiagnosedError(KafkaDiagnosis diagnosis) : Error(diagnosis.Code, diagnosis.Message)
{
    /// <summary>Gets the diagnosis.</summary>
    public KafkaDiagnosis Diagnosis { get; } = diagnosis;
}
