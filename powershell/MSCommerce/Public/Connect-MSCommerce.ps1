function Connect-MSCommerce {
    <#
    .SYNOPSIS
        Signs in to an MSCommerce service and keeps the access token for the other commands.

    .DESCRIPTION
        Obtains an access token from the service's own OAuth2 token endpoint and keeps it, with the service
        address, in the module's session until Disconnect-MSCommerce or the end of the PowerShell session.
        There are four ways to sign in:
        - without parameters (or with only Microsoft's -ClientId, -RedirectUri, -Resource): asks for a user name
          and password with Get-Credential, then signs in with the password grant. This replaces the browser
          window of Microsoft's module and works in any console, on every operating system;
        - -Credential: the same without asking (password grant);
        - -ClientId, -ClientSecret and -TenantId: an application signs in unattended (client_credentials grant,
          POST {Uri}/{TenantId}/oauth2/v2.0/token);
        - -AccessToken: a token obtained elsewhere is used as it is.
        Tokens from the password and client_credentials grants are renewed automatically shortly before they
        expire, so long-running scripts keep working. As in Microsoft's module, the token is also set as the
        variable $token of the caller; the commands use the connection, and a string $token only when there is
        no connection and no -Token. On success it shows "Connection established successfully"
        (information stream, as Write-Host does; nothing is written to the pipeline).

    .PARAMETER ClientId
        The application (client) ID. Kept from Microsoft's module, where it names the public client application
        '3d5cffa9-04da-4657-8cab-c7f074657cad'. For a user sign-in it is sent as client_id only when given; for
        -ClientSecret it is required and names the application that signs in.

    .PARAMETER RedirectUri
        Accepted so that scripts written for Microsoft's module keep working. This service signs users in
        without a browser, so no redirect happens and the value is not used.

    .PARAMETER Resource
        The resource the token is for, sent as the OAuth2 scope. A value without '/.default' gets it appended, so
        both Microsoft's 1.x value 'aeb86249-8ea3-49e2-900b-54cc8e308f85' and its 2.x value
        'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default' work. When it is not given no scope is sent and the service
        issues a token for itself.

    .PARAMETER Credential
        The user name (UPN, for example admin@contoso.onmicrosoft.com) and password of a user of the service.
        -AdminAccount, the name in Microsoft's module 1.x, is an alias, and the fourth positional value binds here
        as it did in 1.x (Connect-MSCommerce $clientId $redirectUri $resource $credential).

    .PARAMETER ClientSecret
        The secret of the application named by -ClientId, as a SecureString (for example from
        Get-Secret of Microsoft.PowerShell.SecretManagement, or ConvertTo-SecureString).

    .PARAMETER TenantId
        The ID (a GUID) of the tenant to sign in to; 'mscommerce tenant list' shows it. Required with
        -ClientSecret; optional for a user, who then must belong to it. The service does not accept a domain name
        such as contoso.onmicrosoft.com here yet.

    .PARAMETER AccessToken
        An access token obtained elsewhere (another tool, a pipeline secret). It is used as it is and not renewed.

    .PARAMETER Uri
        The address of the service. Defaults to the environment variable MSCOMMERCE_URI, else
        http://localhost:8080.

    .EXAMPLE
        Connect-MSCommerce

        Asks for a user name and password, then signs in to the service at $env:MSCOMMERCE_URI or
        http://localhost:8080.

    .EXAMPLE
        $credential = Get-Credential -UserName 'admin@contoso.onmicrosoft.com' -Message 'MSCommerce'
        Connect-MSCommerce -Uri 'https://mscommerce.contoso.com' -Credential $credential

        Signs a user in without a prompt for the user name.

    .EXAMPLE
        $secret = Get-Secret -Name 'MSCommerceAutomation'
        Connect-MSCommerce -ClientId '6f1c2a8e-0000-4000-8000-000000000001' -ClientSecret $secret -TenantId '2b7c5e1a-9f3d-4c8e-a6b0-5d4f3e2a1c90'

        Signs an application in unattended, for a scheduled task or a pipeline.

    .EXAMPLE
        Get-Content -Path './token.txt' -Raw | ForEach-Object -Process { Connect-MSCommerce -AccessToken $_.Trim() }

        Uses a token obtained by another tool.

    .INPUTS
        None.

    .OUTPUTS
        None. The status line goes to the information stream.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Interactive')]
    [OutputType([void])]
    param(
        [Parameter(ParameterSetName = 'Interactive', Position = 0)]
        [Parameter(ParameterSetName = 'Credential', Position = 0)]
        [Parameter(ParameterSetName = 'ClientSecret', Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$ClientId,

        [Parameter(ParameterSetName = 'Interactive', Position = 1)]
        [Parameter(ParameterSetName = 'Credential', Position = 1)]
        [Uri]$RedirectUri,

        [Parameter(ParameterSetName = 'Interactive', Position = 2)]
        [Parameter(ParameterSetName = 'Credential', Position = 2)]
        [Parameter(ParameterSetName = 'ClientSecret')]
        [ValidateNotNullOrEmpty()]
        [string]$Resource,

        # AdminAccount at position 3: Microsoft's 1.x name and automatic position for its unattended sign-in.
        [Parameter(ParameterSetName = 'Credential', Mandatory, Position = 3)]
        [Alias('AdminAccount')]
        [System.Management.Automation.Credential()]
        [pscredential]$Credential,

        [Parameter(ParameterSetName = 'ClientSecret', Mandatory)]
        [System.Security.SecureString]$ClientSecret,

        [Parameter(ParameterSetName = 'ClientSecret', Mandatory)]
        [Parameter(ParameterSetName = 'Interactive')]
        [Parameter(ParameterSetName = 'Credential')]
        [ValidateNotNullOrEmpty()]
        [string]$TenantId,

        [Parameter(ParameterSetName = 'AccessToken', Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$AccessToken,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$Uri
    )

    if ($PSBoundParameters.ContainsKey('RedirectUri')) {
        Write-Verbose -Message "RedirectUri '$RedirectUri' is accepted for compatibility and not used."
    }

    $baseUri = Get-MSCommerceDefaultUri
    if ($PSBoundParameters.ContainsKey('Uri')) {
        $baseUri = $Uri.Trim().TrimEnd('/')
    }
    $parsedUri = $null
    $validUri = [uri]::TryCreate($baseUri, [System.UriKind]::Absolute, [ref]$parsedUri)
    if (-not $validUri -or @('http', 'https') -notcontains $parsedUri.Scheme) {
        $splatError = @{
            Message      = "Unable to establish connection, ErrorMessage - '$baseUri' is not an http or https address."
            ErrorId      = 'InvalidUri'
            Category     = 'InvalidArgument'
            TargetObject = $baseUri
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $scope = ''
    if ($PSBoundParameters.ContainsKey('Resource')) {
        $scope = $Resource
        if (-not $scope.EndsWith('/.default', [System.StringComparison]::OrdinalIgnoreCase)) {
            $scope = $scope.TrimEnd('/') + '/.default'
        }
    }

    $tokenRequest = $null
    switch ($PSCmdlet.ParameterSetName) {
        'ClientSecret' {
            $tokenRequest = @{
                GrantType    = 'client_credentials'
                ClientId     = $ClientId
                ClientSecret = $ClientSecret
                TenantId     = $TenantId
                Scope        = $scope
            }
        }
        'AccessToken' {
            $tokenRequest = $null
        }
        default {
            $userCredential = $Credential
            if ($PSCmdlet.ParameterSetName -eq 'Interactive') {
                $userCredential = Get-Credential -Message 'Sign in to MSCommerce'
            }
            if ($null -eq $userCredential) {
                $splatError = @{
                    Message      = 'Unable to establish connection, ErrorMessage - No credential was given.'
                    ErrorId      = 'CredentialMissing'
                    Category     = 'AuthenticationError'
                    TargetObject = $baseUri
                }
                $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
            }
            $tokenRequest = @{
                GrantType  = 'password'
                Credential = $userCredential
                ClientId   = $ClientId
                TenantId   = $TenantId
                Scope      = $scope
            }
        }
    }

    $token = $AccessToken
    $expiresOn = $null
    if ($null -ne $tokenRequest) {
        try {
            $issued = Request-MSCommerceToken -BaseUri $baseUri @tokenRequest
        }
        catch {
            $PSCmdlet.ThrowTerminatingError($_)
        }
        $token = $issued.AccessToken
        $expiresOn = $issued.ExpiresOn
    }

    $claims = ConvertFrom-MSCommerceJwt -Token $token
    $account = '(unknown account)'
    if ($null -ne $claims) {
        foreach ($claim in @($claims.upn, $claims.appid, $claims.azp)) {
            if (-not [string]::IsNullOrEmpty([string]$claim)) {
                $account = "$claim, tenant $($claims.tid)"
                break
            }
        }
        if ($null -eq $expiresOn -and $null -ne $claims.exp) {
            $epoch = New-Object -TypeName System.DateTime -ArgumentList 1970, 1, 1, 0, 0, 0, ([System.DateTimeKind]::Utc)
            $expiresOn = $epoch.AddSeconds([double]$claims.exp)
        }
    }
    if ($null -ne $expiresOn -and $expiresOn -le [datetime]::UtcNow) {
        Write-Warning -Message "The access token expired at $($expiresOn.ToString('u')); calls will fail."
    }

    $script:MSCommerceConnection = @{
        Uri          = $baseUri
        AccessToken  = $token
        ExpiresOn    = $expiresOn
        TokenRequest = $tokenRequest
    }
    # Microsoft's module keeps the token as $token in the caller's session state, and scripts written for it read
    # $token after connecting ($PSCmdlet.SessionState is the caller's: PowerShell's CommandBase.cs, State).
    $PSCmdlet.SessionState.PSVariable.Set('token', $token)
    Write-Verbose -Message "Connected to $baseUri as $account."
    Write-MSCommerceStatus -Message 'Connection established successfully'
}
