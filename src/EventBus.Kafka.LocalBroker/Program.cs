using System.Runtime.InteropServices;
using EventBus.Kafka.LocalBroker;

using var stop = new CancellationTokenSource();

// Ctrl-C, SIGTERM (docker stop, kill, an orchestrator) and SIGHUP (the terminal closed) stop the cluster cleanly: the
// command returns its exit code instead of the runtime ending the process.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

return await LocalBrokerCommand.RunAsync(args, Console.Out, Console.Error, stop.Token).ConfigureAwait(false);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
