using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EventBus.Kafka.Serialization;

/// <summary>
/// The default serializer: System.Text.Json with web defaults (camelCase names, case-insensitive reading) that keeps
/// the payload type's contract: nullable annotations and required constructor parameters are respected.
/// </summary>
/// <remarks>
/// <para>The default options set <see cref="JsonSerializerOptions.RespectNullableAnnotations"/> and
/// <see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/>. Reading, a JSON <c>null</c> for a
/// non-nullable property or constructor parameter, or a missing constructor parameter, is a
/// <see cref="JsonException"/>: the consumer dead-letters the record without retries instead of handing the handler an
/// object that breaks its own annotations. Writing, a non-nullable property that holds <see langword="null"/> is a
/// <see cref="JsonException"/> thrown by the publish call itself: the producer and the consumer use the same options,
/// so what a service publishes is what a consumer of the same type accepts, and the mistake surfaces in the code that
/// made the object rather than in every consumer's DLQ. A property missing from the JSON is enforced only when it is a
/// constructor parameter (positional records) or a <c>required</c> member; unknown properties are ignored, so producers
/// may add fields.</para>
/// <para>Custom <see cref="JsonSerializerOptions"/> and source-generated contracts (<see cref="JsonTypeInfo{T}"/>)
/// keep their own settings: set <c>RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true</c>
/// on them (in <c>[JsonSourceGenerationOptions]</c> for a context) to get the same contract.</para>
/// <para>Types are resolved through <see cref="JsonSerializerOptions.TypeInfoResolver"/>. The default resolver uses
/// reflection; in trimmed or native-AOT applications pass options whose resolver is a source-generated
/// <c>JsonSerializerContext</c>, or call the publish overloads that take a <see cref="JsonTypeInfo{T}"/>.</para>
/// </remarks>
public sealed class JsonEventSerializer : IEventSerializer
{
    /// <summary>The content type this serializer writes.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>
    /// Initializes a new instance of the <see cref="JsonEventSerializer"/> class with web defaults, nullable annotations and
    /// required constructor parameters respected, and the reflection resolver.
    /// </summary>
    [RequiresUnreferencedCode("Reflection-based JSON; pass JsonSerializerOptions with a source-generated resolver for trimmed apps.")]
    [RequiresDynamicCode("Reflection-based JSON; pass JsonSerializerOptions with a source-generated resolver for native AOT.")]
    public JsonEventSerializer()
        : this(CreateDefaultOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JsonEventSerializer"/> class.</summary>
    /// <param name="options">The options; they must have a <see cref="JsonSerializerOptions.TypeInfoResolver"/>.</param>
    public JsonEventSerializer(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MakeReadOnly();
        Options = options;
    }

    /// <summary>Gets the options in use.</summary>
    public JsonSerializerOptions Options { get; }

    /// <inheritdoc />
    public string ContentType => JsonContentType;

    /// <inheritdoc />
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, GetTypeInfo<T>());

    /// <inheritdoc />
    public T Deserialize<T>(ReadOnlySpan<byte> data) => JsonSerializer.Deserialize(data, GetTypeInfo<T>())!;

    private JsonTypeInfo<T> GetTypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>
    /// The serializer EventBus uses when none is given. Under native AOT (reflection disabled) serializing a type
    /// through it fails at run time with System.Text.Json's message to use a JsonTypeInfo; byte[], string and the
    /// JsonTypeInfo overloads never reach it.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only typed payloads without a JsonTypeInfo reach it; documented on the publish overloads.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only typed payloads without a JsonTypeInfo reach it; documented on the publish overloads.")]
    internal static JsonEventSerializer CreateDefault() => new();

    [RequiresUnreferencedCode("Reflection-based JSON.")]
    [RequiresDynamicCode("Reflection-based JSON.")]
    private static JsonSerializerOptions CreateDefaultOptions() => new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = JsonSerializerOptions.Default.TypeInfoResolver,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
}
