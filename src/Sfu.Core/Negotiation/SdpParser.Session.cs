namespace Sfu.Core.Negotiation;

/// <summary>Session-level attributes: ice-lite, extmap-allow-mixed, ICE credentials and options, fingerprint, setup, groups (BUNDLE) and msid-semantic.</summary>
public static partial class SdpParser
{
    private sealed partial class State
    {
        private string? ParseSessionAttribute(string value)
        {
            SplitAttribute(value, out string name, out string? arg);
            switch (name)
            {
                case "ice-lite":
                    _session.IceLite = true;
                    return null;
                case "extmap-allow-mixed" when arg is null:
                    _session.ExtmapAllowMixed = true;
                    return null;
                case "ice-ufrag":
                    return SetRequired(arg, name, v => _session.IceUfrag = v);
                case "ice-pwd":
                    return SetRequired(arg, name, v => _session.IcePwd = v);
                case "ice-options":
                    return SetRequired(arg, name, v => _session.IceOptions = v);
                case "fingerprint":
                    {
                        Fingerprint? fp = ParseFingerprint(arg, out string? error);
                        if (fp is null)
                        {
                            return error;
                        }

                        // RFC 8122 §5 allows several; the model keeps the first, the rest stay verbatim.
                        if (_session.Fingerprint is null)
                        {
                            _session.Fingerprint = fp;
                        }
                        else
                        {
                            _session.Attributes.Add(new SdpAttribute(name, arg));
                        }

                        return null;
                    }

                case "setup":
                    {
                        DtlsSetup? setup = ParseSetup(arg, out string? error);
                        if (setup is null)
                        {
                            return error;
                        }

                        _session.Setup = setup;
                        return null;
                    }

                case "group":
                    {
                        // a=group:<semantics> *(SP <identification-tag>) (RFC 5888 §5)
                        string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (f.Length == 0)
                        {
                            return "a=group needs a semantics token, e.g. 'a=group:BUNDLE 0 1'";
                        }

                        _session.Groups.Add(new SdpGroup(f[0], f[1..]));
                        return null;
                    }

                case "msid-semantic":
                    {
                        // Chromium writes "a=msid-semantic: WMS", Firefox "a=msid-semantic:WMS *".
                        string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (f.Length == 0)
                        {
                            return "a=msid-semantic needs a semantic token, e.g. 'WMS'";
                        }

                        _session.MsidSemantic = new MsidSemantic(f[0], f[1..]);
                        return null;
                    }

                default:
                    _session.Attributes.Add(new SdpAttribute(name, arg));
                    return null;
            }
        }
    }
}
