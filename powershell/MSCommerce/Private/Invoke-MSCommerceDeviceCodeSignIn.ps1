function Invoke-MSCommerceDeviceCodeSignIn {
    <#
    .SYNOPSIS
        Signs a person in with a device code (RFC 8628): a code to enter in a browser on any device.

    .DESCRIPTION
        POST {BaseUri}/{Tenant}/oauth2/v2.0/devicecode with client_id and scope; the service's message (the
        address and the code) is written as a warning, as Az.Accounts does for Connect-AzAccount
        -UseDeviceAuthentication (its DeviceCodeAuthenticator writes the message with WriteWarning), so it is
        seen in every host and never enters the pipeline. Then the token endpoint is polled every 'interval'
        seconds (RFC 8628 section 3.5): 'authorization_pending' waits on, 'slow_down' adds 5 seconds to the
        interval, 'expired_token' (or the code's own expiry passing) and 'access_denied' stop with an error that
        says so; any other error stops with the service's message.

    .PARAMETER BaseUri
        The service address.

    .PARAMETER Tenant
        The tenant segment: a tenant ID, a domain name, 'organizations' or 'common'.

    .PARAMETER ClientId
        The public client to sign in as.

    .PARAMETER Scope
        The scopes asked for.

    .EXAMPLE
        Invoke-MSCommerceDeviceCodeSignIn -BaseUri 'http://localhost:8080' -Tenant 'common' -ClientId '3d5cffa9-04da-4657-8cab-c7f074657cad' -Scope 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default openid profile offline_access'

        Shows the code and the address, and returns the tokens once the person has signed in.

    .OUTPUTS
        System.Management.Automation.PSCustomObject: the answer of Request-MSCommerceToken.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$BaseUri,

        [Parameter(Mandatory)]
        [string]$Tenant,

        [Parameter(Mandatory)]
        [string]$ClientId,

        [Parameter(Mandatory)]
        [string]$Scope
    )

    $splatDevice = @{
        Method        = 'POST'
        Path          = '/{tenantId}/oauth2/v2.0/devicecode'
        PathParameter = @{ tenantId = $Tenant }
        FormBody      = [ordered]@{ client_id = $ClientId; scope = $Scope }
        Anonymous     = $true
        BaseUri       = $BaseUri
        ErrorContext  = 'Unable to establish connection'
        TargetObject  = $BaseUri
    }
    $device = Invoke-MSCommerceRestMethod @splatDevice
    if ($null -eq $device -or [string]::IsNullOrEmpty([string]$device.device_code)) {
        $splatError = @{
            Message      = 'Unable to establish connection, ErrorMessage - The device code answer carries no device_code.'
            ErrorId      = 'DeviceCodeMissingFromAnswer'
            Category     = 'AuthenticationError'
            TargetObject = $BaseUri
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $message = [string]$device.message
    if ([string]::IsNullOrEmpty($message)) {
        $message = 'To sign in, use a web browser to open the page {0} and enter the code {1} to authenticate.' -f $device.verification_uri, $device.user_code
    }
    Write-Warning -Message $message

    $interval = 5
    if ($null -ne $device.interval -and [int]$device.interval -gt 0) {
        $interval = [int]$device.interval
    }
    $lifetime = 900
    if ($null -ne $device.expires_in -and [int]$device.expires_in -gt 0) {
        $lifetime = [int]$device.expires_in
    }
    $deadline = [datetime]::UtcNow.AddSeconds($lifetime)

    $splatToken = @{
        BaseUri    = $BaseUri
        GrantType  = 'device_code'
        DeviceCode = [string]$device.device_code
        ClientId   = $ClientId
        TenantId   = $Tenant
    }
    while ($true) {
        Start-Sleep -Seconds $interval
        $outcome = ''
        try {
            return Request-MSCommerceToken @splatToken
        }
        catch {
            # The OAuth error code: in the exception's data (New-MSCommerceHttpErrorRecord), else the ErrorId.
            $outcome = [string]$_.Exception.Data['ErrorCode']
            if ([string]::IsNullOrEmpty($outcome)) {
                $outcome = ([string]$_.FullyQualifiedErrorId).Split(',')[0]
            }
            if (@('authorization_pending', 'slow_down', 'expired_token', 'access_denied') -notcontains $outcome) {
                $PSCmdlet.ThrowTerminatingError($_)
            }
        }
        if ($outcome -eq 'slow_down') {
            $interval += 5
            Write-Verbose -Message "The service asks to poll more slowly; now every $interval seconds."
        }
        if ($outcome -eq 'access_denied') {
            $splatError = @{
                Message      = 'Unable to establish connection, ErrorMessage - The sign-in was declined on the verification page (access_denied).'
                ErrorId      = 'DeviceCodeDeclined'
                Category     = 'PermissionDenied'
                TargetObject = $BaseUri
            }
            $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
        }
        if ($outcome -eq 'expired_token' -or [datetime]::UtcNow -ge $deadline) {
            $splatError = @{
                Message      = "Unable to establish connection, ErrorMessage - The code $($device.user_code) expired before anyone signed in with it (expired_token). Run Connect-MSCommerce -UseDeviceCode again for a new code."
                ErrorId      = 'DeviceCodeExpired'
                Category     = 'OperationTimeout'
                TargetObject = $BaseUri
            }
            $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
        }
    }
}
