using EventBus.Kafka.Configuration;
using EventBus.Kafka.Tools;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await TopicsCommand.RunAsync(args, EnvironmentVariableBinder.ReadProcessEnvironment(), Console.Out, Console.Error, cancellation.Token);
