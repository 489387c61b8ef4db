namespace EventBus.Kafka.IntegrationTests.Infrastructure;

/// <summary>A SASL/SCRAM user a test created for itself, so its ACLs touch no other test.</summary>
/// <param name="Name">The user name (the principal is <c>User:{Name}</c>).</param>
/// <param name="Password">The password (never printed: <see cref="ToString"/> leaves it out).</param>
public sealed record KitUser(string Name, string Password)
{
    /// <inheritdoc />
    public override string ToString() => $"KitUser {{ Name = {Name} }}";
}
