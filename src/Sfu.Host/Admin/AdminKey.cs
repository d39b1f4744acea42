using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Sfu.Host.Admin;

/// <summary>
/// Checks the admin key a request presents: <c>Authorization: Bearer &lt;key&gt;</c>,
/// <c>X-Admin-Key: &lt;key&gt;</c>, or the dashboard's cookie. Keys are compared as SHA-256
/// digests with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the time
/// taken nor the key's length tells a guesser anything. The cookie holds an HMAC of the key,
/// never the key itself.
/// </summary>
public sealed class AdminKey
{
    public const string HeaderName = "X-Admin-Key";
    public const string CookieName = "sfu_admin";

    private readonly byte[]? _keyDigest;
    private readonly string? _cookieToken;

    public AdminKey(IOptions<AdminOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? key = options.Value.Key;
        if (!string.IsNullOrEmpty(key))
        {
            byte[] keyBytes = Encoding.UTF8.GetBytes(key);
            _keyDigest = SHA256.HashData(keyBytes);
            _cookieToken = Convert.ToBase64String(HMACSHA256.HashData(keyBytes, "sfu-admin-dashboard"u8));
        }
    }

    /// <summary>False when no key is configured: admin is off.</summary>
    public bool IsConfigured => _keyDigest is not null;

    /// <summary>The cookie value that stands for the key in the dashboard's browser.</summary>
    public string CookieToken => _cookieToken ?? throw new InvalidOperationException("No admin key is configured.");

    public bool Matches(string? presented) => _keyDigest is not null && presented is not null && SameDigest(Encoding.UTF8.GetBytes(presented), _keyDigest);

    public bool IsAuthorized(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsConfigured)
        {
            return false;
        }

        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Matches(authorization["Bearer ".Length..].Trim());
        }

        if (request.Headers.TryGetValue(HeaderName, out var header))
        {
            return Matches(header.ToString());
        }

        return request.Cookies.TryGetValue(CookieName, out string? cookie)
            && SameDigest(Encoding.UTF8.GetBytes(cookie), SHA256.HashData(Encoding.UTF8.GetBytes(_cookieToken!)));
    }

    private static bool SameDigest(byte[] presented, byte[] expectedDigest)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(presented), expectedDigest);
}
