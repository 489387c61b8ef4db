namespace EventBus.Benchmarks.Report;

/// <summary>Median with min and max of the measured rounds; spread is (max - min) / median.</summary>
internal readonly record struct Summary(double Median, double Min, double Max, int Count)
{
    public double Spread => Median == 0 ? 0 : (Max - Min) / Math.Abs(Median);

    public static Summary Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        }

        var n = sorted.Length;
        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        return new Summary(median, sorted[0], sorted[^1], n);
    }
}
