using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Sfu.Host.Admin;

/// <summary>
/// Dashboard sign-ins, kept on the server: each sign-in gets a fresh random id (256 bits) that
/// the cookie carries, valid for <see cref="AdminOptions.SessionHours"/> or until Sign out
/// revokes it. A copied cookie therefore dies with its session, and no two sign-ins share a
/// value. At most <see cref="MaxSessions"/> live at once; the oldest give way.
/// </summary>
public sealed class AdminSessions(IOptions<AdminOptions> options, TimeProvider time)
{
    public const string CookieName = "sfu_admin";
    public const int MaxSessions = 64;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private readonly TimeSpan _lifetime = TimeSpan.FromHours(options.Value.SessionHours);

    public TimeSpan Lifetime => _lifetime;

    /// <summary>A new session; returns the id for the cookie.</summary>
    public string Create()
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach ((string id, DateTimeOffset expiry) in _expiries)
        {
            if (expiry <= now)
            {
                _expiries.TryRemove(id, out _);
            }
        }

        while (_expiries.Count >= MaxSessions)
        {
            _expiries.TryRemove(_expiries.MinBy(e => e.Value).Key, out _);
        }

        string session = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _expiries[session] = now + _lifetime;
        return session;
    }

    /// <summary>Whether the request's cookie names a live session.</summary>
    public bool IsValid(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.TryGetValue(CookieName, out string? session)
            && session is not null
            && _expiries.TryGetValue(session, out DateTimeOffset expiry)
            && expiry > time.GetUtcNow();
    }

    /// <summary>Sign out: the request's session ends; its cookie opens nothing any more.</summary>
    public void Revoke(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Cookies.TryGetValue(CookieName, out string? session) && session is not null)
        {
            _expiries.TryRemove(session, out _);
        }
    }
}
