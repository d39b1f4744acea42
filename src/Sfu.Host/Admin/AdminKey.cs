using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Sfu.Host.Admin;

/// <summary>
/// The admin key and where a request presents it: <c>Authorization: Bearer &lt;key&gt;</c> or
/// <c>X-Admin-Key: &lt;key&gt;</c>. Keys are compared as SHA-256 digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the time taken nor the
/// key's length tells a guesser anything. A key under <see cref="AdminOptions.MinKeyBytes"/>
/// bytes refuses to start. The dashboard's cookie holds a session id, never the key
/// (<see cref="AdminSessions"/>).
/// </summary>
public sealed class AdminKey
{
    public const string HeaderName = "X-Admin-Key";

    private readonly byte[]? _keyDigest;

    public AdminKey(IOptions<AdminOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? key = options.Value.Key;
        if (!string.IsNullOrEmpty(key))
        {
            byte[] keyBytes = Encoding.UTF8.GetBytes(key);
            if (keyBytes.Length < AdminOptions.MinKeyBytes)
            {
                throw new InvalidOperationException(
                    $"{AdminOptions.Section}:Key is {keyBytes.Length} bytes long; the admin key needs at least {AdminOptions.MinKeyBytes} "
                    + "(for example the output of 'openssl rand -base64 32').");
            }

            _keyDigest = SHA256.HashData(keyBytes);
        }
    }

    /// <summary>False when no key is configured: admin is off.</summary>
    public bool IsConfigured => _keyDigest is not null;

    public bool Matches(string? presented)
        => _keyDigest is not null && presented is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _keyDigest);

    /// <summary>The key the request carries in a header (Bearer or X-Admin-Key), or null.</summary>
    public static string? Presented(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers.TryGetValue(HeaderName, out var header) ? header.ToString() : null;
    }
}
