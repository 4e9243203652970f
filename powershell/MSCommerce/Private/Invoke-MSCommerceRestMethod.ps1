function Invoke-MSCommerceRestMethod {
    <#
    .SYNOPSIS
        Sends one request to the MSCommerce service: the only place in the module that speaks HTTP.

    .DESCRIPTION
        Every command reaches the service through this function, so address, authentication, correlation id,
        timeout, paging and error mapping are decided in one place:
        - the URL is the base URI (-BaseUri, else the connection's, else $env:MSCOMMERCE_URI, else
          http://localhost:8080) joined with -Path, whose {name} segments take the escaped values of
          -PathParameter, and with the escaped -Query;
        - 'Authorization: Bearer <token>' comes from -Token, else from the connection (renewed shortly before it
          expires when the grant allows it), and is left out with -Anonymous;
        - every request carries a fresh 'x-ms-correlation-id' GUID, which the verbose stream shows;
        - -Body is sent as UTF-8 JSON, -FormBody as application/x-www-form-urlencoded;
        - -IfMatch is sent as 'If-Match', so that a change applies only to the version that was read;
        - the answer is decoded as UTF-8 JSON whatever its Content-Type says (Windows PowerShell 5.1 would
          otherwise guess ISO-8859-1);
        - with -FollowNextLink the items of every page are written one by one, following nextLink until it is
          absent or -First items were written. A nextLink on another scheme, host or port is rebased onto the
          base URI, so the token is never sent anywhere else.
        A failure is thrown as an ErrorRecord: ErrorId is the service's errorCode, the category follows the HTTP
        status, and the message keeps the shape of Microsoft's module:
        '<ErrorContext>, ErrorMessage - <exception message> ErrorDetails - <response body>'.

    .PARAMETER Method
        The HTTP method.

    .PARAMETER Path
        The path template, exactly as the OpenAPI document names it, for example
        '/v1.0/policies/{policyId}/products/{productId}'.

    .PARAMETER PathParameter
        The values of the {name} segments of -Path. Each value is URL-escaped.

    .PARAMETER Query
        Query string parameters. Names and values are URL-escaped.

    .PARAMETER Body
        An object sent as the JSON body.

    .PARAMETER FormBody
        Fields sent as an application/x-www-form-urlencoded body (the OAuth2 token endpoint).

    .PARAMETER IfMatch
        An ETag the service gave (such as "3"), sent as 'If-Match': the service changes nothing and answers 412
        PreconditionFailed if the resource has changed since. A value without its quotes (3) is quoted.

    .PARAMETER Token
        An access token that replaces the connection's token for this request.

    .PARAMETER Anonymous
        Sends no Authorization header (the token endpoint).

    .PARAMETER BaseUri
        The service address to use instead of the connection's (Connect-MSCommerce, before a connection exists).

    .PARAMETER ErrorContext
        The first part of the error message, as in Microsoft's module, for example 'Failed to retrieve policies'.

    .PARAMETER TargetObject
        The object the request is about; it becomes the TargetObject of an error.

    .PARAMETER FollowNextLink
        Writes the items of a paged list, page after page, instead of the answer itself.

    .PARAMETER First
        With -FollowNextLink, stops after this many items. 0 means all items.

    .PARAMETER TimeoutSec
        How long to wait for each answer, in seconds.

    .PARAMETER OutFile
        Writes the answer's body to this file as it arrives (a CSV export), instead of decoding it; nothing is
        returned.

    .EXAMPLE
        Invoke-MSCommerceRestMethod -Method 'GET' -Path '/v1.0/policies' -ErrorContext 'Failed to retrieve policies'

        Reads the policy list with the connection's token.

    .EXAMPLE
        $splatRest = @{
            Method         = 'GET'
            Path           = '/v1.0/auditLogs/policyChanges'
            FollowNextLink = $true
            First          = 250
        }
        Invoke-MSCommerceRestMethod @splatRest | ForEach-Object -Process { $_.targetId }

        Reads the 250 newest audit entries, following nextLink as needed.

    .OUTPUTS
        System.Management.Automation.PSObject. The decoded JSON answer, or its items with -FollowNextLink.
    #>
    [CmdletBinding()]
    [OutputType([psobject])]
    param(
        [Parameter(Mandatory)]
        [ValidateSet('GET', 'PUT', 'POST', 'PATCH', 'DELETE')]
        [string]$Method,

        [Parameter(Mandatory)]
        [ValidatePattern('^/')]
        [string]$Path,

        [System.Collections.IDictionary]$PathParameter,

        [System.Collections.IDictionary]$Query,

        [object]$Body,

        [System.Collections.IDictionary]$FormBody,

        [string]$IfMatch,

        [string]$Token,

        [switch]$Anonymous,

        [string]$BaseUri,

        [string]$ErrorContext = 'Request to the MSCommerce service failed',

        [object]$TargetObject,

        [switch]$FollowNextLink,

        [ValidateRange(0, [int]::MaxValue)]
        [int]$First = 0,

        [ValidateRange(1, 3600)]
        [int]$TimeoutSec = 100,

        [string]$OutFile
    )

    # Windows PowerShell draws a progress bar for every response, which makes each call many times slower.
    $ProgressPreference = 'SilentlyContinue'

    $root = Get-MSCommerceBaseUri -BaseUri $BaseUri
    $splatUri = @{
        BaseUri       = $root
        Path          = $Path
        PathParameter = $PathParameter
        Query         = $Query
    }
    $requestUri = Join-MSCommerceUri @splatUri

    $authorization = $null
    if (-not $Anonymous) {
        $authorization = 'Bearer ' + (Get-MSCommerceAccessToken -Token $Token)
    }

    $requestBody = $null
    $contentType = $null
    if ($PSBoundParameters.ContainsKey('Body')) {
        $json = ConvertTo-Json -InputObject $Body -Depth 10 -Compress
        $requestBody = [System.Text.Encoding]::UTF8.GetBytes($json)
        $contentType = 'application/json; charset=utf-8'
    }
    elseif ($PSBoundParameters.ContainsKey('FormBody')) {
        $pairs = foreach ($name in $FormBody.Keys) {
            '{0}={1}' -f [uri]::EscapeDataString([string]$name), [uri]::EscapeDataString([string]$FormBody[$name])
        }
        $requestBody = $pairs -join '&'
        $contentType = 'application/x-www-form-urlencoded'
    }

    if ($PSVersionTable.PSEdition -ne 'Core') {
        # .NET Framework before 4.7 offers no TLS 1.2 unless asked to ("The underlying connection was closed").
        # 0 is SystemDefault (4.7 and later), which already offers what the OS offers; otherwise add TLS 1.2.
        $protocols = [System.Net.ServicePointManager]::SecurityProtocol
        $tls12 = [System.Net.SecurityProtocolType]::Tls12
        if ([int]$protocols -ne 0 -and ($protocols -band $tls12) -ne $tls12) {
            [System.Net.ServicePointManager]::SecurityProtocol = $protocols -bor $tls12
        }
    }

    $written = 0
    while ($true) {
        $correlationId = [guid]::NewGuid().ToString()
        $headers = @{ 'x-ms-correlation-id' = $correlationId }
        if ($null -ne $authorization) {
            $headers['Authorization'] = $authorization
        }
        if ($IfMatch) {
            # An entity tag is quoted ("3"); PowerShell 7 refuses to send a bare 3, which is easy to type.
            $entityTag = $IfMatch
            if ($entityTag -ne '*' -and -not $entityTag.StartsWith('"') -and -not $entityTag.StartsWith('W/"')) {
                $entityTag = '"' + $entityTag + '"'
            }
            $headers['If-Match'] = $entityTag
        }
        $splatRequest = @{
            Uri             = $requestUri
            Method          = $Method
            Headers         = $headers
            TimeoutSec      = $TimeoutSec
            UseBasicParsing = $true
            ErrorAction     = 'Stop'
        }
        if ($null -ne $requestBody) {
            $splatRequest['Body'] = $requestBody
            $splatRequest['ContentType'] = $contentType
        }
        if ($OutFile) {
            $splatRequest['OutFile'] = $OutFile
        }

        Write-Verbose -Message ('{0} {1} (x-ms-correlation-id: {2})' -f $Method, $requestUri, $correlationId)
        try {
            $response = Invoke-WebRequest @splatRequest
        }
        catch {
            $splatError = @{
                Failure       = $_
                Context       = $ErrorContext
                TargetObject  = $TargetObject
                CorrelationId = $correlationId
                Uri           = $requestUri
            }
            $PSCmdlet.ThrowTerminatingError((ConvertTo-MSCommerceErrorRecord @splatError))
        }

        if ($OutFile) {
            return
        }
        $content = ConvertFrom-MSCommerceResponseContent -Response $response -Context $ErrorContext
        if (-not $FollowNextLink) {
            return $content
        }

        foreach ($item in $content.items) {
            $item
            $written++
            if ($First -gt 0 -and $written -ge $First) {
                return
            }
        }

        $nextLink = [string]$content.nextLink
        if ([string]::IsNullOrEmpty($nextLink)) {
            return
        }
        $requestUri = Resolve-MSCommerceNextLink -NextLink $nextLink -BaseUri $root
        $requestBody = $null
    }
}
