using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace EventBus.Kafka.Testing;

/// <summary>Faults raised inside a client rather than a broker, for testing how code reacts to them.</summary>
public static class KafkaClientFaults
{
    /// <summary>
    /// Raises a fatal error in a client exactly as librdkafka would (rd_kafka_test_fatal_error): the client's error
    /// handler sees an error with <see cref="Error.IsFatal"/> set and the client stops working.
    /// </summary>
    /// <param name="handle">The client's handle (<see cref="IClient.Handle"/>).</param>
    /// <param name="error">The underlying error, e.g. <see cref="ErrorCode.OutOfOrderSequenceNumber"/>.</param>
    /// <param name="reason">The reason text.</param>
    /// <exception cref="InvalidOperationException">librdkafka refused (a fatal error was already raised).</exception>
    public static unsafe void TriggerFatalError(Handle handle, ErrorCode error, string reason)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(reason);
        var native = LibrdkafkaNative.Instance;
        var safeHandle = (SafeHandle)(typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(handle)
            ?? throw new InvalidOperationException("This Confluent.Kafka version does not expose the librdkafka handle the way EventBus.Kafka.Testing expects."));
        var added = false;
        safeHandle.DangerousAddRef(ref added);
        try
        {
            var bytes = Encoding.UTF8.GetBytes(reason + "\0");
            fixed (byte* p = bytes)
            {
                var result = native.test_fatal_error(safeHandle.DangerousGetHandle(), (int)error, (IntPtr)p);
                if (result != 0)
                {
                    throw new InvalidOperationException($"librdkafka did not raise the fatal error: {native.ErrorToString(result)}.");
                }
            }
        }
        finally
        {
            if (added)
            {
                safeHandle.DangerousRelease();
            }
        }
    }
}
