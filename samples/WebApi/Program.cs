// A minimal API that publishes one event per request, with EventBus's health endpoints. Configured only by its
// environment (the KAFKA_* variables).
using EventBus.Kafka.Diagnostics.Health;
using EventBus.Kafka.Hosting.Health;
using EventBus.Kafka.Producing;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using WebApi;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddEventBus(builder.Configuration)
    .AddPublishedTopics("ORDERS");
builder.Services.AddHealthChecks().AddEventBus();

var app = builder.Build();

// Liveness (restart when it fails) and readiness (no traffic until it passes): 200 Healthy/Degraded, 503 Unhealthy.
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(EventBusHealthTags.Live) });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(EventBusHealthTags.Ready) });

// The JSON report: status, every client's state, the counts, the redacted configuration, the topics.
app.MapGet("/health", async (EventBusHealthReporter reporter, HttpResponse response, CancellationToken cancellationToken) =>
{
    var report = await reporter.GetReportAsync(cancellationToken);
    response.StatusCode = report.Status == EventBusHealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
    response.ContentType = EventBusHealthReport.JsonContentType;
    await report.WriteJsonAsync(response.Body, cancellationToken);
});

// POST /orders {"orderId":"o-1","amount":12.5} → 202 with where the event was stored (the broker acknowledged it).
app.MapPost("/orders", async (PlaceOrder request, IEventProducer producer, CancellationToken cancellationToken) =>
{
    var published = await producer.PublishAsync("ORDERS", new OrderPlaced(request.OrderId, request.Amount), request.OrderId, cancellationToken: cancellationToken);
    return Results.Accepted(value: new { published.Topic, published.Partition, published.Offset, published.MessageId });
});

app.Run();
