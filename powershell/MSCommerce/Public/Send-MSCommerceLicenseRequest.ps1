function Send-MSCommerceLicenseRequest {
    <#
    .SYNOPSIS
        Shares a license request by email with people who can decide on it.

    .DESCRIPTION
        Calls POST /v1.0/licenseRequests/{requestId}/share with {"userIds", "message"}: the service emails the
        request's details (product, requester, users, their message) and -Message to 1 to 10 users of the
        organization, for example the budget owner, and answers how many were sent. Nothing about the request
        changes: it stays as it was until an administrator approves or denies it. One
        MSCommerce.LicenseRequestShare is written per request shared.

        Requests can be piped in: objects of Get-MSCommerceLicenseRequest bind by their RequestId property (or an
        Id property). A request that does not exist is refused (LicenseRequestNotFound), and so is a user who is
        not of the organization; each refusal concerns one request: it is a non-terminating error and the next
        piped request is still shared. Emails are sent, so -WhatIf shows what would be sent and sends nothing.

        Send is PowerShell's approved verb for delivering something to a destination; Share is not one. Needs
        Global Administrator or License Administrator.

    .PARAMETER RequestId
        The license request. Binds from the RequestId property of piped objects, or from their Id property.

    .PARAMETER UserId
        The users to email (their object IDs, 1 to 10), for example from Get-MSCommerceUser.

    .PARAMETER Message
        A message sent with the request, up to 1000 characters: what you ask of them.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Send-MSCommerceLicenseRequest -RequestId $id -UserId $budgetOwner -Message 'Can your budget take this one?'

        Emails the request to the budget owner.

    .EXAMPLE
        Get-MSCommerceLicenseRequest -Status Pending | Where-Object -Property ProductId -EQ 'CFQ7TTC0HDB1' | Send-MSCommerceLicenseRequest -UserId $projectLead -WhatIf

        Shows which pending Project Plan 1 requests would be emailed to the project lead.

    .INPUTS
        System.String. Request IDs, by property name (RequestId, or Id).

    .OUTPUTS
        MSCommerce.LicenseRequestShare. Properties: RequestId, Shared (how many users the service emailed),
        UserId (the users it was sent to).
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.LicenseRequestShare')]
    param(
        # A piped object binds by a property named RequestId, else by one named like an alias, Id (the service's own
        # field, in any case): PowerShell's src/System.Management.Automation/engine/CmdletParameterBinderController.cs,
        # BindValueFromPipelineByPropertyName, looks the parameter's name up first, then each alias.
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [ValidateNotNullOrEmpty()]
        [string]$RequestId,

        [Parameter(Mandatory, Position = 1)]
        [ValidateCount(1, 10)]
        [string[]]$UserId,

        [Parameter()]
        [ValidateLength(1, 1000)]
        [string]$Message,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        $body = @{ userIds = @($UserId) }
        if ($PSBoundParameters.ContainsKey('Message')) {
            $body['message'] = $Message
        }
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("License request '$RequestId'", "Email it to $(@($UserId) -join ', ')")) {
            return
        }
        $splatRest = @{
            Method        = 'POST'
            Path          = '/v1.0/licenseRequests/{requestId}/share'
            PathParameter = @{ requestId = $RequestId }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to share license request '$RequestId'"
            TargetObject  = $RequestId
        }
        try {
            $shared = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        [pscustomobject]@{
            PSTypeName = 'MSCommerce.LicenseRequestShare'
            RequestId  = $RequestId
            Shared     = [int]$shared.shared
            UserId     = @($UserId)
        }
    }
}
