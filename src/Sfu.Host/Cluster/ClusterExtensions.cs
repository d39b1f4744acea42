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
/// node; the room roster and chat history in Redis instead of this process; the node
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
        builder.Services.AddSignalR().AddStackExchangeRedis(options.Redis!, redis =>
        {
            redis.Configuration.ChannelPrefix = keys.SignalRChannel;

            // Redis down at start: serve local rooms now, join the backplane when it is back.
            redis.Configuration.AbortOnConnectFail = false;
        });
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var configuration = ConfigurationOptions.Parse(options.Redis!);
            configuration.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(configuration);
        });
        builder.Services.AddSingleton<LocalNode>();
        builder.Services.AddSingleton<NodeDirectory>();
        builder.Services.AddSingleton<RedisRoomRoster>();
        builder.Services.AddSingleton<IRoomRoster>(sp => sp.GetRequiredService<RedisRoomRoster>());
        builder.Services.AddSingleton<IChatHistory, RedisChatHistory>();
        builder.Services.AddSingleton<NodePlacement>();
        builder.Services.AddHostedService<NodeHeartbeat>();
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

        return context.RequestServices.GetService<NodeDirectory>() is NodeDirectory directory
            ? Results.Ok(await directory.LiveAsync().ConfigureAwait(false))
            : Results.Ok(Array.Empty<NodeRecord>());
    }
}
