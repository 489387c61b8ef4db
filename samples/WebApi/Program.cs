// A minimal API that publishes one event per request. Configured only by its environment (the KAFKA_* variables).
using EventBus.Kafka.Producing;
using WebApi;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddEventBus(builder.Configuration)
    .AddPublishedTopics("ORDERS");

var app = builder.Build();

// POST /orders {"orderId":"o-1","amount":12.5} → 202 with where the event was stored (the broker acknowledged it).
app.MapPost("/orders", async (PlaceOrder request, IEventProducer producer, CancellationToken cancellationToken) =>
{
    var published = await producer.PublishAsync("ORDERS", new OrderPlaced(request.OrderId, request.Amount), request.OrderId, cancellationToken: cancellationToken);
    return Results.Accepted(value: new { published.Topic, published.Partition, published.Offset, published.MessageId });
});

app.Run();
