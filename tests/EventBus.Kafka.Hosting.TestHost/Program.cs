// The hosting tests' child process: a worker as a service team writes it, configured only by its environment
// (KAFKA_* variables), with one consumer of topic key ORDERS. TESTHOST_MODE picks what the handler does:
//   handle                  print "handled {partition}@{offset}" for each record (the default)
//   dead-letter-disposed    dispose the service's producer, then throw: the record cannot be dead-lettered, the
//                           consumer faults, and the application must stop with a non-zero exit code.
using EventBus.Kafka.Consuming;
using EventBus.Kafka.Hosting;
using EventBus.Kafka.Hosting.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton(new TestHostMode(builder.Configuration["TESTHOST_MODE"] ?? "handle"));
builder.Services.AddEventBus(builder.Configuration)
    .AddPublishedTopics("ORDERS")
    .AddConsumer(c => c
        .Configure(o => o.MaxRetries = 0)
        .AddHandler<OrderPlaced, OrderPlacedHandler>("ORDERS"));

await builder.Build().RunAsync();
