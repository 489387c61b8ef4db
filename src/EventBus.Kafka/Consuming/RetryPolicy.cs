namespace EventBus.Kafka.Consuming;

/// <summary>When a failed record is tried again: exponential backoff with ±20 % jitter, and which errors never are.</summary>
internal sealed class RetryPolicy(EventConsumerOptions options, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>Gets how many times a failed record is retried before it is dead-lettered.</summary>
    public int MaxRetries => options.MaxRetries;

    /// <summary>Gets the delay before retry number <paramref name="attempt"/> (1 for the first retry).</summary>
    /// <param name="attempt">The attempt that failed.</param>
    /// <returns>The delay.</returns>
    public TimeSpan Backoff(int attempt)
    {
        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (0.4 * _random())));
    }

    /// <summary>Whether the error may be retried after attempt <paramref name="attempt"/>.</summary>
    /// <param name="error">The error.</param>
    /// <param name="attempt">The attempt that failed (1 for the first).</param>
    /// <returns>Whether to retry.</returns>
    public bool ShouldRetry(Exception error, int attempt) => attempt <= options.MaxRetries && !IsNonRetriable(error);

    private bool IsNonRetriable(Exception error)
    {
        foreach (var type in options.NonRetriableExceptions)
        {
            if (type.IsInstanceOfType(error))
            {
                return true;
            }
        }

        return false;
    }
}
