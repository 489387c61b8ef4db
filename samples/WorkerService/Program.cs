// A worker service configured only by its environment (see .env.example): it consumes ORDERS with a class handler
// resolved per message from a new DI scope, and publishes ORDER_CONFIRMED for each order.
using WorkerService;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddScoped<OrderBook>();
builder.Services.AddEventBus(builder.Configuration)
    .AddPublishedTopics("ORDER_CONFIRMED")
    .AddConsumer(c => c.AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS"));

await builder.Build().RunAsync();
