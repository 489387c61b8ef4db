using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventBus.Kafka.Testing;

/// <summary>
/// Entry points of librdkafka's mock cluster API, resolved in the native library instance that Confluent.Kafka
/// itself loaded. Confluent.Kafka picks one of several variants at run time (on Linux the default
/// <c>librdkafka.so</c> needs libsasl2 and it falls back to another file in the same folder), so the file name is
/// never assumed: the library is found among the modules already mapped into the process.
/// </summary>
internal sealed unsafe class LibrdkafkaNative
{
    private static readonly Lazy<LibrdkafkaNative> LazyInstance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private LibrdkafkaNative(string path, IntPtr handle)
    {
        LibraryPath = path;
        conf_new = (delegate* unmanaged[Cdecl]<IntPtr>)Export(handle, "rd_kafka_conf_new");
        conf_set = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, byte*, nuint, int>)Export(handle, "rd_kafka_conf_set");
        conf_destroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)Export(handle, "rd_kafka_conf_destroy");
        kafka_new = (delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr>)Export(handle, "rd_kafka_new");
        kafka_destroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)Export(handle, "rd_kafka_destroy");
        err2str = (delegate* unmanaged[Cdecl]<int, IntPtr>)Export(handle, "rd_kafka_err2str");
        cluster_new = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)Export(handle, "rd_kafka_mock_cluster_new");
        cluster_destroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)Export(handle, "rd_kafka_mock_cluster_destroy");
        cluster_bootstraps = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Export(handle, "rd_kafka_mock_cluster_bootstraps");
        topic_create = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, int, int>)Export(handle, "rd_kafka_mock_topic_create");
        broker_set_down = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)Export(handle, "rd_kafka_mock_broker_set_down");
        broker_set_up = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)Export(handle, "rd_kafka_mock_broker_set_up");
        broker_set_rtt = (delegate* unmanaged[Cdecl]<IntPtr, int, int, int>)Export(handle, "rd_kafka_mock_broker_set_rtt");
        broker_set_host_port = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, int, int>)Export(handle, "rd_kafka_mock_broker_set_host_port");
        push_request_errors_array = (delegate* unmanaged[Cdecl]<IntPtr, short, nuint, int*, void>)Export(handle, "rd_kafka_mock_push_request_errors_array");
        clear_request_errors = (delegate* unmanaged[Cdecl]<IntPtr, short, void>)Export(handle, "rd_kafka_mock_clear_request_errors");
        partition_set_leader = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, int, int>)Export(handle, "rd_kafka_mock_partition_set_leader");
        coordinator_set = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, int, int>)Export(handle, "rd_kafka_mock_coordinator_set");
        topic_set_error = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, void>)Export(handle, "rd_kafka_mock_topic_set_error");
        test_fatal_error = (delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, int>)Export(handle, "rd_kafka_test_fatal_error");
        group_initial_rebalance_delay_ms = (delegate* unmanaged[Cdecl]<IntPtr, int, void>)Export(handle, "rd_kafka_mock_group_initial_rebalance_delay_ms");
    }

#pragma warning disable SA1310, IDE1006 // Field names mirror the C functions they point to.
    public readonly delegate* unmanaged[Cdecl]<IntPtr> conf_new;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, byte*, nuint, int> conf_set;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> conf_destroy;
    public readonly delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr> kafka_new;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> kafka_destroy;
    public readonly delegate* unmanaged[Cdecl]<int, IntPtr> err2str;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr> cluster_new;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> cluster_destroy;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> cluster_bootstraps;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, int, int> topic_create;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, int> broker_set_down;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, int> broker_set_up;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, int, int> broker_set_rtt;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, int, int> broker_set_host_port;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, short, nuint, int*, void> push_request_errors_array;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, short, void> clear_request_errors;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, int, int> partition_set_leader;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, int, int> coordinator_set;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, int, void> topic_set_error;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, int> test_fatal_error;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, void> group_initial_rebalance_delay_ms;
#pragma warning restore SA1310, IDE1006

    /// <summary>Gets the entry points, loading Confluent.Kafka's native library first if it has not been yet.</summary>
    public static LibrdkafkaNative Instance => LazyInstance.Value;

    /// <summary>Gets the file of the native library in use.</summary>
    public string LibraryPath { get; }

    public string ErrorToString(int error) => Marshal.PtrToStringUTF8(err2str(error)) ?? $"error {error}";

    private static LibrdkafkaNative Load()
    {
        // Touching Library.Version makes Confluent.Kafka load (and pick the variant of) librdkafka.
        _ = Confluent.Kafka.Library.Version;
        var path = FindLoadedLibrary()
            ?? throw new InvalidOperationException(
                "Confluent.Kafka's native librdkafka library is not among this process's loaded modules, so the mock cluster cannot be reached in the same instance. " +
                "Check that the librdkafka.redist package's runtimes folder was copied to the output directory.");

        // Loading a path that is already mapped returns the same module: the same instance Confluent.Kafka uses.
        var handle = NativeLibrary.Load(path);
        return new LibrdkafkaNative(path, handle);
    }

    private static string? FindLoadedLibrary()
    {
        using var process = Process.GetCurrentProcess();
        string? found = null;
        foreach (ProcessModule module in process.Modules)
        {
            var file = module.FileName;
            if (string.IsNullOrEmpty(file))
            {
                continue;
            }

            var name = Path.GetFileName(file);
            if (name.Contains("rdkafka", StringComparison.OrdinalIgnoreCase)
                && (name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal)
                    || name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".dylib", StringComparison.Ordinal)))
            {
                if (found is not null && !string.Equals(found, file, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"Two librdkafka libraries are loaded ({found} and {file}); the mock cluster cannot tell which one Confluent.Kafka uses.");
                }

                found = file;
            }
        }

        return found;
    }

    private static IntPtr Export(IntPtr handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var address)
            ? address
            : throw new InvalidOperationException($"The loaded librdkafka has no export '{name}'; the mock cluster needs librdkafka 2.5 or later.");
}
