using EventBus.Kafka.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace EventBus.Kafka.Tests.Diagnostics;

/// <summary>A repeated identical line is logged once, then summarised once per window.</summary>
public sealed class RepeatedLinesTests
{
    [Fact]
    public void FiftyEightIdenticalLinesIn30Seconds_OneLineThenOneSummary_Repeated57TimesIn30Seconds()
    {
        var time = new FakeTimeProvider();
        var lines = new RepeatedLines(time, TimeSpan.FromSeconds(30));
        var logged = new List<string>();

        for (var i = 0; i < 57; i++)
        {
            if (lines.Observe("tls", (count, seconds) => logged.Add($"repeated {count} times in {seconds:0} s")))
            {
                logged.Add("first");
            }

            time.Advance(TimeSpan.FromSeconds(30.0 / 57));
        }

        // The 58th, once the window is over: the summary, which covers it too.
        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.False(lines.Observe("tls", (count, seconds) => logged.Add($"repeated {count} times in {seconds:0} s")));

        Assert.Equal(["first", "repeated 57 times in 30 s"], logged);
    }

    [Fact]
    public void OtherKinds_AreTheirOwn_QuietForAWindow_StartsAfresh()
    {
        var time = new FakeTimeProvider();
        var lines = new RepeatedLines(time, TimeSpan.FromSeconds(30));

        Assert.True(lines.Observe("a", (_, _) => { }));
        Assert.True(lines.Observe("b", (_, _) => { }));
        Assert.False(lines.Observe("a", (_, _) => { }));
        time.Advance(TimeSpan.FromSeconds(31));
        var summaries = 0;
        Assert.False(lines.Observe("a", (_, _) => summaries++));     // its repeat is summarised
        Assert.Equal(1, summaries);
        Assert.True(lines.Observe("b", (_, _) => { }));              // quiet for a window: logged again
    }

    [Fact]
    public void Flush_SummarisesWhatIsPending_KeepsTheKinds()
    {
        var time = new FakeTimeProvider();
        var lines = new RepeatedLines(time, TimeSpan.FromSeconds(30));
        var summaries = new List<int>();
        lines.Observe("a", (count, _) => summaries.Add(count));
        lines.Observe("a", (count, _) => summaries.Add(count));
        lines.Observe("a", (count, _) => summaries.Add(count));

        lines.Flush();
        lines.Flush();

        Assert.Equal([2], summaries);
        Assert.False(lines.Observe("a", (count, _) => summaries.Add(count)));   // still within the window: counted
    }
}
