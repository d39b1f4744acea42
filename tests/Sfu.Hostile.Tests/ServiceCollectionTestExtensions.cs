using Microsoft.Extensions.DependencyInjection;
using Sfu.Host.Rooms;

namespace Sfu.Hostile.Tests;

internal static class ServiceCollectionTestExtensions
{
    /// <summary>Registers an observer of the room lifecycle after the server's own.</summary>
    public static IServiceCollection AddSingletonObserver(this IServiceCollection services, IRoomObserver observer)
        => services.AddSingleton(observer);
}
