using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sfu.Host.Signaling;

namespace Sfu.Host.Access;

/// <summary>
/// Join tokens, as LiveKit's access tokens work: a JWT (RFC 7519) signed with HMAC-SHA256
/// (RFC 7518 §3.2) under an API secret of <c>Sfu:Auth:Keys</c>, named by its <c>kid</c>
/// header. Claims: <c>sub</c> (the identity), <c>name</c> (the display name), <c>room</c>,
/// <c>canPublish</c>, <c>canSubscribe</c>, <c>nbf</c> and <c>exp</c>; <c>exp</c> is required.
/// Secrets shorter than <see cref="AuthOptions.MinSecretBytes"/> refuse to start.
/// </summary>
public sealed partial class AccessTokens
{
    public const string NameClaim = "name";
    public const string RoomClaim = "room";
    public const string CanPublishClaim = "canPublish";
    public const string CanSubscribeClaim = "canSubscribe";

    /// <summary>Longer query strings are not tokens of ours; refused before any parsing.</summary>
    public const int MaxTokenLength = 4096;

    private readonly JsonWebTokenHandler _handler = new();
    private readonly List<SymmetricSecurityKey> _keys = [];
    private readonly TokenValidationParameters _validation;
    private readonly AuthOptions _options;

    public AccessTokens(IOptions<AuthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        foreach ((string keyId, string secret) in _options.Keys)
        {
            int length = Encoding.UTF8.GetByteCount(secret ?? string.Empty);
            if (length < AuthOptions.MinSecretBytes)
            {
                throw new InvalidOperationException(
                    $"{AuthOptions.Section}:Keys:{keyId} is {length} bytes long; a signing secret needs at least {AuthOptions.MinSecretBytes} "
                    + "(for example the output of 'openssl rand -base64 32').");
            }

            _keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret!)) { KeyId = keyId });
        }

        Mode = _options.EffectiveMode;
        if (Mode == AccessMode.Token && _keys.Count == 0)
        {
            throw new InvalidOperationException(
                $"{AuthOptions.Section}:Mode is Token but no signing key is configured: set {AuthOptions.Section}:Keys:<key id>=<secret of at least {AuthOptions.MinSecretBytes} bytes>.");
        }

        _validation = new TokenValidationParameters
        {
            IssuerSigningKeys = _keys,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ClockSkew = TimeSpan.FromSeconds(_options.ClockSkewSeconds),
        };
    }

    public AccessMode Mode { get; }

    /// <summary>Whether a key is configured, so tokens can be minted and checked.</summary>
    public bool HasKeys => _keys.Count > 0;

    public TimeSpan MaxValidity => TimeSpan.FromHours(_options.MaxValidHours);

    /// <summary>The grant of a valid token, or null with <paramref name="Error"/> saying (without detail an attacker could use) why not.</summary>
    public async Task<(AccessGrant? Grant, string? Error)> ValidateAsync(string token)
    {
        if (!HasKeys)
        {
            return (null, "This server checks no access tokens: it has no signing key.");
        }

        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxTokenLength)
        {
            return (null, "The access token is not a well-formed JWT.");
        }

        TokenValidationResult result = await _handler.ValidateTokenAsync(token, _validation).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (null, Describe(result.Exception));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        string identity = jwt.Subject ?? string.Empty;
        string? identityError = ValidateIdentity(identity);
        if (identityError is not null)
        {
            return (null, "The access token's identity (sub) is not usable: " + identityError);
        }

        string room = jwt.TryGetPayloadValue(RoomClaim, out string? r) ? r ?? string.Empty : string.Empty;
        if (RoomName.Validate(room) is string roomError)
        {
            return (null, "The access token names no usable room: " + roomError);
        }

        string? name = jwt.TryGetPayloadValue(NameClaim, out string? n) && !string.IsNullOrWhiteSpace(n) ? n : null;
        bool canPublish = !jwt.TryGetPayloadValue(CanPublishClaim, out bool publish) || publish;
        bool canSubscribe = !jwt.TryGetPayloadValue(CanSubscribeClaim, out bool subscribe) || subscribe;
        return (new AccessGrant(identity, name, room, canPublish, canSubscribe, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero)), null);
    }

    /// <summary>Signs a token for <paramref name="grant"/>, valid from <paramref name="notBefore"/> to the grant's expiry.</summary>
    /// <param name="grant">What the token grants.</param>
    /// <param name="notBefore">When it starts to be valid.</param>
    /// <param name="keyId">The key to sign with; the first configured one when null.</param>
    public string Mint(AccessGrant grant, DateTimeOffset notBefore, string? keyId = null)
    {
        ArgumentNullException.ThrowIfNull(grant);
        SymmetricSecurityKey key = (keyId is null ? _keys.FirstOrDefault() : _keys.FirstOrDefault(k => k.KeyId == keyId))
            ?? throw new InvalidOperationException(keyId is null
                ? $"No signing key is configured: set {AuthOptions.Section}:Keys:<key id>=<secret>."
                : $"No signing key '{keyId}' in {AuthOptions.Section}:Keys.");
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = grant.Identity,
            [RoomClaim] = grant.Room,
            [CanPublishClaim] = grant.CanPublish,
            [CanSubscribeClaim] = grant.CanSubscribe,
        };
        if (grant.DisplayName is not null)
        {
            claims[NameClaim] = grant.DisplayName;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = notBefore.UtcDateTime,
            NotBefore = notBefore.UtcDateTime,
            Expires = grant.Expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Identities are compared, never shown: letters, digits and <c>. _ - @ : +</c>, 1 to 128 of them.</summary>
    public static string? ValidateIdentity(string? identity)
        => identity is not null && IdentityPattern().IsMatch(identity)
            ? null
            : "an identity is 1 to 128 letters, digits or '. _ - @ : +'.";

    private static string Describe(Exception? error) => error switch
    {
        SecurityTokenExpiredException => "The access token has expired: ask for a new invitation.",
        SecurityTokenNotYetValidException => "The access token is not valid yet.",
        SecurityTokenNoExpirationException => "The access token has no expiry (exp).",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The access token's signature is not valid.",
        SecurityTokenInvalidAlgorithmException => "The access token is not signed with HS256.",
        SecurityTokenMalformedException or ArgumentException => "The access token is not a well-formed JWT.",
        _ => "The access token is not valid.",
    };

    [GeneratedRegex(@"^[A-Za-z0-9._@:+-]{1,128}$")]
    private static partial Regex IdentityPattern();
}
