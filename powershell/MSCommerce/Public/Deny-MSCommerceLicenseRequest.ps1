function Deny-MSCommerceLicenseRequest {
    <#
    .SYNOPSIS
        Denies a license request: no license is assigned, and its users are told.

    .DESCRIPTION
        Calls POST /v1.0/licenseRequests/{requestId}/deny with {"message"} (when given). The request becomes
        Denied, every user of it gets the outcome Denied and an email with -Message (or the default text). One
        MSCommerce.LicenseRequest is written per request denied, as it now is. A request that was answered
        already is refused (LicenseRequestAnswered), as is one that does not exist (LicenseRequestNotFound); each
        refusal concerns one request: it is a non-terminating error and the next piped request is still handled.

        Requests can be piped in: objects of Get-MSCommerceLicenseRequest bind by their RequestId property (or
        an Id property). A denial cannot be taken back (the users may ask again), so PowerShell asks before each
        request when $ConfirmPreference is Medium or lower (ConfirmImpact Medium); -WhatIf shows what would
        happen and changes nothing. Needs Global Administrator or License Administrator.

    .PARAMETER RequestId
        The license request. Binds from the RequestId property of piped objects, or from their Id property.

    .PARAMETER Message
        A message to the users, up to 1000 characters, sent with the answer instead of the default text: why,
        and what to do instead.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Deny-MSCommerceLicenseRequest -RequestId $id -Message 'Use the shared Visio licenses: ask the service desk.'

        Denies one request and tells its users where to go instead.

    .EXAMPLE
        Get-MSCommerceLicenseRequest -Status Pending | Where-Object -Property CreatedAt -LT (Get-Date).AddDays(-30).ToUniversalTime() | Deny-MSCommerceLicenseRequest -Message 'Expired: ask again if you still need it.' -WhatIf

        Shows which requests older than 30 days would be denied, without denying any.

    .INPUTS
        System.String. Request IDs, by property name (RequestId, or Id).

    .OUTPUTS
        MSCommerce.LicenseRequest. The request, Denied.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.LicenseRequest')]
    param(
        # A piped object binds by a property named RequestId, else by one named like an alias, Id (the service's own
        # field, in any case): PowerShell's src/System.Management.Automation/engine/CmdletParameterBinderController.cs,
        # BindValueFromPipelineByPropertyName, looks the parameter's name up first, then each alias.
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [ValidateNotNullOrEmpty()]
        [string]$RequestId,

        [Parameter()]
        [ValidateLength(1, 1000)]
        [string]$Message,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        $body = @{}
        if ($PSBoundParameters.ContainsKey('Message')) {
            $body['message'] = $Message
        }
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("License request '$RequestId'", 'Deny it: no license is assigned, its users are told')) {
            return
        }
        $splatRest = @{
            Method        = 'POST'
            Path          = '/v1.0/licenseRequests/{requestId}/deny'
            PathParameter = @{ requestId = $RequestId }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to deny license request '$RequestId'"
            TargetObject  = $RequestId
        }
        try {
            Invoke-MSCommerceRestMethod @splatRest | ConvertTo-MSCommerceLicenseRequest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
