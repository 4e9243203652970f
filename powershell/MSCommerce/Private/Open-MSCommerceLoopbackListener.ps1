function Open-MSCommerceLoopbackListener {
    <#
    .SYNOPSIS
        Starts the loopback HTTP listener that receives the browser's redirect after a sign-in.

    .DESCRIPTION
        The redirect URI must be a loopback one: http on localhost, 127.0.0.1 or [::1] (RFC 8252 section 7.3;
        the service registers these with any port for Microsoft's public client). Without a port, as Microsoft's
        default 'http://localhost/m365/commerce', a free port is picked (the operating system's choice for port
        0); with a port, that port is used. The listener takes every path of its port, so that the request is
        seen whatever the path; which path the redirect must have is checked when it arrives.

    .PARAMETER RedirectUri
        The redirect URI, for example http://localhost/m365/commerce.

    .EXAMPLE
        $loopback = Open-MSCommerceLoopbackListener -RedirectUri 'http://localhost/m365/commerce'

        $loopback.RedirectUri is then for example 'http://localhost:53124/m365/commerce'.

    .OUTPUTS
        System.Management.Automation.PSCustomObject with Listener (System.Net.HttpListener), RedirectUri (the
        redirect URI with its port) and Path (the path the redirect must have).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [uri]$RedirectUri
    )

    $loopbackHosts = @('localhost', '127.0.0.1', '[::1]')
    if (-not $RedirectUri.IsAbsoluteUri -or $RedirectUri.Scheme -ne 'http' -or $loopbackHosts -notcontains $RedirectUri.Host.ToLowerInvariant()) {
        $splatError = @{
            Message      = "Unable to establish connection, ErrorMessage - -RedirectUri '$RedirectUri' is not a loopback address. A browser sign-in receives the answer on this computer: use http://localhost[:port]/path (or 127.0.0.1 or [::1]); without a port a free one is chosen."
            ErrorId      = 'RedirectUriNotLoopback'
            Category     = 'InvalidArgument'
            TargetObject = $RedirectUri
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    # [uri] reports port 80 for 'http://localhost/...'; only a port written in the address is the caller's choice.
    $explicitPort = $RedirectUri.OriginalString -match '^[A-Za-z]+://(\[[^\]]*\]|[^/:?#]*):(\d+)'
    $port = $RedirectUri.Port
    if (-not $explicitPort) {
        $probe = New-Object -TypeName System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Loopback), 0
        $probe.Start()
        $port = ([System.Net.IPEndPoint]$probe.LocalEndpoint).Port
        $probe.Stop()
    }

    $hostName = $RedirectUri.Host.ToLowerInvariant()
    $path = $RedirectUri.AbsolutePath
    $listener = New-Object -TypeName System.Net.HttpListener
    $listener.Prefixes.Add(('http://{0}:{1}/' -f $hostName, $port))
    try {
        $listener.Start()
    }
    catch {
        $splatError = @{
            Message        = "Unable to establish connection, ErrorMessage - Cannot listen on http://${hostName}:$port/ for the browser's answer: $($_.Exception.Message) Choose another port in -RedirectUri, or leave the port out; on Windows, listening on 127.0.0.1 or [::1] needs a URL reservation (netsh http add urlacl), localhost does not."
            ErrorId        = 'LoopbackListenerFailed'
            Category       = 'ResourceUnavailable'
            TargetObject   = $RedirectUri
            InnerException = $_.Exception
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }
    [pscustomobject]@{
        Listener    = $listener
        RedirectUri = 'http://{0}:{1}{2}' -f $hostName, $port, $path
        Path        = $path
    }
}
