using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sfu.Host.Rooms;

namespace Microsoft.AspNetCore.Builder;

/// <summary>HTTP endpoints of the meeting features.</summary>
public static class MeetingEndpoints
{
    /// <summary>Where a closing page sends its resume token (navigator.sendBeacon) to leave at once.</summary>
    public const string LeavePath = "/api/meeting/leave";

    private const int MaxTokenLength = 128;

    public static WebApplication MapMeeting(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(LeavePath, LeaveAsync);
        return app;
    }

    private static async Task<Results<NoContent, NotFound, BadRequest<string>>> LeaveAsync(HttpRequest request, [FromServices] RoomLifecycle lifecycle)
    {
        using var reader = new StreamReader(request.Body);
        char[] buffer = new char[MaxTokenLength + 1];
        int read = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (read > MaxTokenLength)
        {
            return TypedResults.BadRequest("The token is too long.");
        }

        string token = new string(buffer, 0, read).Trim();
        return await lifecycle.LeaveWithTokenAsync(token).ConfigureAwait(false) ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
