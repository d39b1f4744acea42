using Sfu.Host.Meeting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the meeting features: room list, chat, media states, active speaker, reconnect.</summary>
public static class MeetingServiceCollectionExtensions
{
    public static IServiceCollection AddMeeting(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MeetingOptions>(configuration.GetSection(MeetingOptions.Section));
        services.AddSingleton<MeetingSessions>();
        services.AddSingleton<ChatService>();
        services.AddSingleton<RoomListService>();
        services.AddSingleton<ActiveSpeakerService>();
        services.AddHostedService(sp => sp.GetRequiredService<ActiveSpeakerService>());
        services.AddSingleton<MeetingCoordinator>();
        return services;
    }
}
