using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Sfu.Host.Turn;

/// <summary>
/// Time-limited TURN credentials (the "TURN REST API" scheme coturn implements for
/// <c>use-auth-secret</c>): the username is <c>expiry:identity</c>, expiry in Unix seconds, and
/// the password is base64(HMAC-SHA1(secret, username)). The TURN server recomputes the password
/// from the username and its copy of the secret and refuses an expired one, so nothing is shared
/// per user and a leaked credential dies on its own.
/// </summary>
public sealed class TurnCredentials
{
    private readonly TurnOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _secret;

    public TurnCredentials(IOptions<TurnOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _secret = Encoding.UTF8.GetBytes(_options.Secret ?? string.Empty);
        if (_options.Urls.Count > 0 && _secret.Length == 0)
        {
            throw new InvalidOperationException($"{TurnOptions.Section}:Urls is set but {TurnOptions.Section}:Secret is not: the TURN server could not check our credentials.");
        }

        if (_options.CredentialHours <= 0)
        {
            throw new InvalidOperationException($"{TurnOptions.Section}:CredentialHours must be positive.");
        }
    }

    /// <summary>True when a TURN server is configured.</summary>
    public bool IsEnabled => _options.Urls.Count > 0;

    /// <summary>The ICE servers for <paramref name="identity"/>: one entry with every configured URL, or none.</summary>
    public IReadOnlyList<IceServerInfo> Issue(string identity)
    {
        ArgumentException.ThrowIfNullOrEmpty(identity);
        if (!IsEnabled)
        {
            return [];
        }

        long expiry = _time.GetUtcNow().AddHours(_options.CredentialHours).ToUnixTimeSeconds();
        string username = expiry.ToString(CultureInfo.InvariantCulture) + ":" + identity;
        return [new IceServerInfo([.. _options.Urls], username, Password(_secret, username))];
    }

    /// <summary>base64(HMAC-SHA1(secret, username)), as the TURN server computes it.</summary>
    public static string Password(ReadOnlySpan<byte> secret, string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
#pragma warning disable CA5350 // HMAC-SHA1 is what the TURN REST credential scheme (and coturn) specify.
        HMACSHA1.HashData(secret, Encoding.UTF8.GetBytes(username), mac);
#pragma warning restore CA5350
        return Convert.ToBase64String(mac);
    }
}
