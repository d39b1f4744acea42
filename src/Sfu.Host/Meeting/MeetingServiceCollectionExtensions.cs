using Microsoft.Extensions.DependencyInjection.Extensions;
using Sfu.Host.Access;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the room lifecycle, who may enter (access tokens), the limits, and the meeting
/// features that follow the lifecycle: room list, chat, media states, active speaker, reconnect.
/// </summary>
public static class MeetingServiceCollectionExtensions
{
    public static IServiceCollection AddMeeting(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MeetingOptions>(configuration.GetSection(MeetingOptions.Section));
        services.Configure<LimitsOptions>(configuration.GetSection(LimitsOptions.Section));
        services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<RoomAccess>();
        services.AddSingleton<Refusals>();
        services.AddSingleton<IdentityAllowances>();
        services.AddSingleton<MeetingSessions>();

        // A single server by default; a cluster (AddSfuCluster, called first) brings its own.
        services.TryAddSingleton<IRoomRoster, LocalRoomRoster>();
        services.TryAddSingleton<IChatHistory, LocalChatHistory>();
        services.AddSingleton<ChatService>();
        services.AddSingleton<RoomListService>();
        services.AddSingleton<ActiveSpeakerService>();
        services.AddHostedService(sp => sp.GetRequiredService<ActiveSpeakerService>());
        services.AddSingleton<MeetingCoordinator>();
        services.AddSingleton<RoomLifecycle>();

        // The lifecycle calls its observers in this order. The groups come first, so the
        // announcements and notices after them reach a newcomer and miss whoever just left.
        services.AddSingleton<IRoomObserver, RoomGroups>();
        services.AddSingleton<IRoomObserver, RoomAnnouncements>();
        services.AddSingleton<IRoomObserver>(sp => sp.GetRequiredService<ChatService>());

        // After the chat, whose leave notice must be kept before a cluster's roster drops an
        // emptied room with its chat; before the lobby, which lists what the roster holds.
        services.AddSingleton<IRoomObserver>(sp => sp.GetRequiredService<IRoomRoster>());
        services.AddSingleton<IRoomObserver>(sp => sp.GetRequiredService<ActiveSpeakerService>());
        services.AddSingleton<IRoomObserver>(sp => sp.GetRequiredService<RoomListService>());
        return services;
    }
}
