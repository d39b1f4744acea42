using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sfu.Host.Admin;
using Sfu.Host.Cluster;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;
using Sfu.Host.Telemetry;
using StackExchange.Redis;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Makes the server a cluster node when <c>Sfu:Cluster:Redis</c> is set (and changes nothing
/// otherwise): SignalR's Redis backplane, so a room's broadcasts reach its members on every
/// node (wrapped by <see cref="ClusterHubLifetimeManager{THub}"/>, so they reach this node's
/// members without Redis too); the room roster and chat history in Redis instead of this process; the node
/// directory's heartbeat; placement (<see cref="PlacementPath"/>) and the admin view of the
/// nodes (<see cref="AdminNodesPath"/>). Call before AddMeeting, whose in-process stores
/// are then not registered.
/// </summary>
public static class ClusterExtensions
{
    /// <summary>Which node a newcomer to <c>{room}</c> should connect to; a single server names itself.</summary>
    public const string PlacementPath = "/api/rooms/{room}/node";

    /// <summary>The live nodes with their load (admin key required).</summary>
    public const string AdminNodesPath = AdminEndpoints.ApiPrefix + "/cluster/nodes";

    public static WebApplicationBuilder AddSfuCluster(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IConfigurationSection section = builder.Configuration.GetSection(ClusterOptions.Section);
        builder.Services.Configure<ClusterOptions>(section);
        ClusterOptions options = section.Get<ClusterOptions>() ?? new ClusterOptions();
        if (!options.Enabled)
        {
            return builder;
        }

        var keys = new RedisKeys(options.KeyPrefix);

        // One connection for the backplane and the keys, so both see Redis the same way.
        builder.Services.AddSignalR().AddStackExchangeRedis();
        builder.Services.AddOptions<RedisOptions>().Configure<IServiceProvider>((redis, services) =>
            redis.ConnectionFactory = _ => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddSingleton(typeof(RedisHubLifetimeManager<>));
        builder.Services.AddSingleton(typeof(DefaultHubLifetimeManager<>));
        builder.Services.AddSingleton(typeof(HubLifetimeManager<>), typeof(ClusterHubLifetimeManager<>));
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var configuration = ConfigurationOptions.Parse(options.Redis!);
            configuration.ChannelPrefix = keys.SignalRChannel;

            // Redis down at start: the node serves its own rooms now and joins when Redis is up.
            configuration.AbortOnConnectFail = false;

            // While Redis is away a command fails at once instead of waiting out its timeout:
            // a join or a chat line on this node never waits for Redis (RedisLink).
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            return ConnectionMultiplexer.Connect(configuration);
        });
        builder.Services.AddSingleton<RedisLink>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LocalNode>();
        builder.Services.AddSingleton<NodeDirectory>();
        builder.Services.AddSingleton<RedisRoomRoster>();
        builder.Services.AddSingleton<IRoomRoster>(sp => sp.GetRequiredService<RedisRoomRoster>());
        builder.Services.AddSingleton<IChatHistory, RedisChatHistory>();
        builder.Services.AddSingleton<NodePlacement>();
        builder.Services.AddHostedService<NodeHeartbeat>();
        builder.Services.AddSingleton<RedisTrackRegistry>();
        builder.Services.AddSingleton<NodeRelays>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeRelays>());
        // RedisLink logs a loss and a return once each; the health service would add a warning
        // for every probe of a degraded node (Unhealthy checks still log, at Error).
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Error);
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("cluster-redis", tags: [TelemetryExtensions.ReadyTag]);
        return builder;
    }

    public static WebApplication MapCluster(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(PlacementPath, PlaceAsync);
        app.MapGet(AdminNodesPath, NodesAsync);
        return app;
    }

    private static async Task<IResult> PlaceAsync(string room, HttpContext context)
    {
        if (RoomName.Validate(room) is string error)
        {
            return Results.BadRequest(new PlacementError(error));
        }

        if (context.RequestServices.GetService<NodePlacement>() is not NodePlacement placement)
        {
            HttpRequest request = context.Request;
            return Results.Ok(new Placement(null, $"{request.Scheme}://{request.Host}"));
        }

        // Without Redis this node knows no other: it serves the room itself.
        RedisLink link = context.RequestServices.GetRequiredService<RedisLink>();
        if (!link.IsUp)
        {
            LocalNode self = context.RequestServices.GetRequiredService<LocalNode>();
            return Results.Ok(new Placement(self.Id, self.Url));
        }

        NodeRecord? chosen = await placement.PlaceAsync(room).ConfigureAwait(false);
        return chosen is null
            ? Results.Json(new PlacementError("Every node of the cluster is full: try again later."), statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Ok(new Placement(chosen.Id, chosen.Url));
    }

    private static async Task<IResult> NodesAsync(HttpContext context, AdminGate gate)
    {
        if (!gate.IsConfigured)
        {
            return Results.NotFound();
        }

        if (gate.Check(context) is IResult refused)
        {
            return refused;
        }

        if (context.RequestServices.GetService<NodeDirectory>() is not NodeDirectory directory)
        {
            return Results.Ok(Array.Empty<NodeRecord>());
        }

        RedisLink link = context.RequestServices.GetRequiredService<RedisLink>();
        return link.IsUp
            ? Results.Ok(await directory.LiveAsync().ConfigureAwait(false))
            : Results.Json(new PlacementError(link.Reason ?? string.Empty), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
