using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Host.Meeting;

namespace Sfu.Host.Signaling;

/// <summary>
/// Logs what went wrong in hub calls, once each and at the level it deserves. A HubException is
/// the client's mistake or a limit (a bad name, a full room, too many chat lines): one line at
/// Information, no stack trace, at most <see cref="LimitsOptions.RefusalLogsPerConnection"/> per
/// connection (the rest are counted in metrics only), so a client looping on a refused call
/// cannot fill the disk. Anything else is a fault of ours: Error, with the exception. SignalR's
/// own Error line for the same failure is filtered out (<see cref="DispatcherCategory"/>), and
/// the client gets the message of a HubException or SignalR's generic text, never a stack trace.
/// </summary>
internal sealed partial class HubCallLogging(ILogger<HubCallLogging> logger, IOptions<LimitsOptions> limits) : IHubFilter
{
    /// <summary>The logger SignalR writes "Failed to invoke hub method" to, with the exception.</summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    private const string LoggedItem = "sfu.refusals-logged";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (HubException e)
        {
            LogRefusal(invocationContext.Context, invocationContext.HubMethodName, e.Message);
            throw;
        }
        catch (Exception e)
        {
            LogFault(logger, invocationContext.HubMethodName, invocationContext.Context.ConnectionId, e);
            throw;
        }
    }

    private void LogRefusal(HubCallerContext context, string method, string reason)
    {
        int cap = limits.Value.RefusalLogsPerConnection;
        int logged = context.Items.TryGetValue(LoggedItem, out object? value) && value is int n ? n : 0;
        if (logged > cap)
        {
            return;
        }

        context.Items[LoggedItem] = logged + 1;
        if (logged == cap)
        {
            LogRefusalsCapped(logger, context.ConnectionId, cap);
            return;
        }

        LogRefused(logger, method, context.ConnectionId, reason);
    }

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Refused {Method} on connection {ConnectionId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string connectionId, string reason);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Information, Message = "Connection {ConnectionId} had {Count} calls refused; further refusals are counted in metrics, not logged")]
    private static partial void LogRefusalsCapped(ILogger logger, string connectionId, int count);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Error, Message = "Hub method {Method} failed on connection {ConnectionId}")]
    private static partial void LogFault(ILogger logger, string method, string connectionId, Exception exception);
}
