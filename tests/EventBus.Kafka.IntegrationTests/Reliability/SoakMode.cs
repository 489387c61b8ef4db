using System.Globalization;

namespace EventBus.Kafka.IntegrationTests.Reliability;

/// <summary>
/// The soak switch: <c>EVENTBUS_RELIABILITY_SOAK=10m</c> (or <c>90s</c>, <c>1h</c>, a number of seconds) makes the soak
/// tests cycle through their faults for that long under load. Without it they skip, saying how to run them.
/// </summary>
internal static class SoakMode
{
    /// <summary>The variable.</summary>
    public const string Variable = "EVENTBUS_RELIABILITY_SOAK";

    /// <summary>Gets the soak duration, or <see langword="null"/> when the variable is not set.</summary>
    public static TimeSpan? Duration => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The soak duration, or a skip that says how to get one.</summary>
    /// <param name="what">The soak test.</param>
    /// <returns>The duration.</returns>
    public static TimeSpan Require(string what)
    {
        if (Duration is not { } duration)
        {
            Assert.Skip($"{what} runs in soak mode only: set {Variable}=10m (see the README, Reliability).");
            throw new InvalidOperationException("Assert.Skip returned");
        }

        return duration;
    }

    /// <summary>Parses <c>10m</c>, <c>600s</c>, <c>1h</c> or <c>600</c> (seconds).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The duration, or <see langword="null"/> for none.</returns>
    /// <exception cref="FormatException">The text is not a duration.</exception>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim().ToLowerInvariant();
        var (number, unit) = text[^1] switch
        {
            's' => (text[..^1], 1),
            'm' => (text[..^1], 60),
            'h' => (text[..^1], 3600),
            _ => (text, 1),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromSeconds(value * unit)
            : throw new FormatException($"{Variable}={text} is not a duration: use e.g. 10m, 600s or 1h.");
    }
}
