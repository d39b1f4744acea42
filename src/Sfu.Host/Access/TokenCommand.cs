using System.Globalization;
using Microsoft.Extensions.Options;

namespace Sfu.Host.Access;

/// <summary>
/// <c>Sfu.Host token --room demo --identity ada --name Ada --valid 6h</c>: mints a join token
/// with the server's own configuration (appsettings.json, <c>Sfu__Auth__Keys__…</c> in the
/// environment, or <c>--Sfu:Auth:Keys:main=…</c> after the options) and prints it and its
/// invite link. Options: <c>--can-publish false</c>, <c>--can-subscribe false</c>,
/// <c>--key</c> (key id; default the first), <c>--url</c> (default: the first of <c>Urls</c>).
/// </summary>
public static class TokenCommand
{
    public const string Name = "token";

    private static readonly string[] Options = ["room", "identity", "name", "valid", "can-publish", "can-subscribe", "key", "url"];

    /// <summary>Returns the process exit code: 0, or 2 with the reason on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : string.Empty;
            if (Options.Contains(option) && i + 1 < args.Length)
            {
                options[option] = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        IConfiguration configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. rest])
            .Build();
        try
        {
            var auth = new AuthOptions();
            configuration.GetSection(AuthOptions.Section).Bind(auth);
            var tokens = new AccessTokens(Microsoft.Extensions.Options.Options.Create(auth));
            if (!tokens.HasKeys)
            {
                error.WriteLine($"No signing key is configured: set {AuthOptions.Section}:Keys:<key id>=<secret of at least {AuthOptions.MinSecretBytes} bytes>.");
                return 2;
            }

            TimeSpan? valid = options.TryGetValue("valid", out string? v) ? ParseDuration(v) : TokenRequest.DefaultValidity;
            if (valid is null)
            {
                error.WriteLine($"--valid '{v}' is not a duration: use e.g. 90s, 30m, 6h or 2d.");
                return 2;
            }

            var request = new TokenRequest(
                options.GetValueOrDefault("room"),
                options.GetValueOrDefault("identity"),
                options.GetValueOrDefault("name"),
                Flag(options, "can-publish"),
                Flag(options, "can-subscribe"),
                (long)valid.Value.TotalSeconds);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            AccessGrant? grant = request.ToGrant(now, tokens.MaxValidity, out string? problem);
            if (grant is null)
            {
                error.WriteLine(problem);
                return 2;
            }

            string token = tokens.Mint(grant, now, options.GetValueOrDefault("key"));
            string baseUrl = options.GetValueOrDefault("url") ?? (configuration["Urls"] ?? "http://127.0.0.1:5080").Split(';')[0];
            output.WriteLine(token);
            output.WriteLine(InviteLinks.For(baseUrl, grant.Room, token));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"valid until {grant.Expires:u} for '{grant.Identity}' in room '{grant.Room}'"));
            return 0;
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        catch (FormatException)
        {
            error.WriteLine("--can-publish and --can-subscribe take true or false.");
            return 2;
        }
    }

    /// <summary>"90s", "30m", "6h", "2d", or a number of seconds.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return null;
        }

        (string number, double unit) = char.ToLowerInvariant(text[^1]) switch
        {
            's' => (text[..^1], 1),
            'm' => (text[..^1], 60),
            'h' => (text[..^1], 3600),
            'd' => (text[..^1], 86400),
            _ => (text, 1.0),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
            ? TimeSpan.FromSeconds(value * unit)
            : null;
    }

    private static bool? Flag(Dictionary<string, string> options, string name)
        => options.TryGetValue(name, out string? value) ? bool.Parse(value) : null;
}
