using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sfu.Bots.Janus;

/// <summary>
/// A VideoRoom created on a Janus server for bots to publish into and subscribe from, over one
/// HTTP API session (each bot attaches its own plugin handle on it). Only a Janus on loopback is
/// accepted.
/// </summary>
public sealed class JanusVideoRoom : IAsyncDisposable
{
    public const string Plugin = "janus.plugin.videoroom";

    private readonly long _handle;

    private JanusVideoRoom(JanusSession session, long handle, long id)
    {
        Session = session;
        _handle = handle;
        Id = id;
    }

    public long Id { get; }

    internal JanusSession Session { get; }

    /// <summary>Creates a room with room for <paramref name="publishers"/> publishers, VP8 and Opus, no optional header extensions.</summary>
    public static async Task<JanusVideoRoom> CreateAsync(Uri api, int publishers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        if (!api.IsLoopback)
        {
            throw new ArgumentException("Bots only talk to a Janus on loopback.", nameof(api));
        }

        JanusSession session = await JanusSession.CreateAsync(api, cancellationToken).ConfigureAwait(false);
        try
        {
            long handle = await session.AttachAsync(Plugin, cancellationToken).ConfigureAwait(false);
            long id = 1 + (long)(RandomNumberGenerator.GetInt32(int.MaxValue - 1));
            var create = new JsonObject
            {
                ["request"] = "create",
                ["room"] = id,
                ["description"] = "load",
                ["publishers"] = publishers,
                ["bitrate"] = 0,
                ["videocodec"] = "vp8",
                ["audiocodec"] = "opus",
                ["audiolevel_ext"] = false,
                ["videoorient_ext"] = false,
                ["playoutdelay_ext"] = false,
                ["transport_wide_cc_ext"] = false,
            };
            JsonElement created = await session.MessageAsync(handle, create, null, cancellationToken).ConfigureAwait(false);
            return new JanusVideoRoom(session, handle, created.GetProperty("plugindata").GetProperty("data").GetProperty("room").GetInt64());
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await Session.MessageAsync(_handle, new JsonObject { ["request"] = "destroy", ["room"] = Id }, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or JanusException or OperationCanceledException)
        {
            // Best effort: the room goes with the server.
        }

        await Session.DisposeAsync().ConfigureAwait(false);
    }
}
