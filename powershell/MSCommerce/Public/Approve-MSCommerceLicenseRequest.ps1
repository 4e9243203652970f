function Approve-MSCommerceLicenseRequest {
    <#
    .SYNOPSIS
        Approves a license request: its users get licenses of a central subscription.

    .DESCRIPTION
        Calls POST /v1.0/licenseRequests/{requestId}/approve with {"subscriptionId", "userIds", "message"} (each
        only when given). The service assigns each approved user a license of a central subscription of the
        request's product (or offer type), all or none, marks the request Approved and emails every user of the
        request the outcome: Approved for those given (all of them without -UserId), NotApproved for the others,
        with -Message. One MSCommerce.LicenseRequest is written per request approved, as it now is.

        Without -SubscriptionId the service takes the central subscription that can serve the request; when
        several could, it refuses (SubscriptionRequired) and -SubscriptionId chooses one
        (Get-MSCommerceSubscription -PurchaseType Central lists them). Other refusals: LicenseRequestAnswered
        (approved or denied already), NotEnoughLicenses (the message says how many licenses are missing: raise
        the quantity with Set-MSCommerceSubscription, or approve fewer users), NoCentralSubscription (there is none:
        buy one with New-MSCommerceSubscription; or -SubscriptionId is not an active central subscription of the
        product), UserNotInRequest (a -UserId that is not one of the request's users), LicenseRequestNotFound.
        Each concerns one request: it is a non-terminating error and the next piped request is still handled.

        Requests can be piped in: objects of Get-MSCommerceLicenseRequest bind by their RequestId property (or
        an Id property). Licenses are assigned, so PowerShell asks before each request when $ConfirmPreference is
        Medium or lower (ConfirmImpact Medium, as Add-MSCommerceSubscriptionUser); -WhatIf shows what would
        happen and changes nothing. Needs Global Administrator or License Administrator.

    .PARAMETER RequestId
        The license request. Binds from the RequestId property of piped objects, or from their Id property.

    .PARAMETER SubscriptionId
        The central subscription whose licenses the users get (its SubscriptionId). Without it the service
        chooses, and refuses with SubscriptionRequired when several could serve.

    .PARAMETER UserId
        The users to approve, a subset of the request's users (the UserId of its Users, 1 to 20); the others are
        told that their request was not approved. Without it every user of the request is approved.

    .PARAMETER Message
        A message to the users, up to 1000 characters, sent with the answer instead of the default text.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceLicenseRequest -Status Pending | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Approve-MSCommerceLicenseRequest -SubscriptionId $central.SubscriptionId -WhatIf

        Shows which pending Power BI Pro requests would be approved from the organization's own subscription,
        without assigning anything. Run it again without -WhatIf to approve them.

    .EXAMPLE
        $request = Get-MSCommerceLicenseRequest -RequestId $id
        Approve-MSCommerceLicenseRequest -RequestId $id -UserId $request.RequesterId -Message 'Approved for you; the team shares the report workspace.'

        Approves the requester alone; the other users asked for are told that they were not approved.

    .INPUTS
        System.String. Request IDs, by property name (RequestId, or Id).

    .OUTPUTS
        MSCommerce.LicenseRequest. The request, Approved, with the outcome of each user and the SubscriptionId
        the licenses came from.
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
        [ValidateNotNullOrEmpty()]
        [string]$SubscriptionId,

        [Parameter()]
        [ValidateCount(1, 20)]
        [ValidateNotNullOrEmpty()]
        [string[]]$UserId,

        [Parameter()]
        [ValidateLength(1, 1000)]
        [string]$Message,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        $body = @{}
        $from = 'the central subscription the service chooses'
        if ($PSBoundParameters.ContainsKey('SubscriptionId')) {
            $body['subscriptionId'] = $SubscriptionId
            $from = "central subscription '$SubscriptionId'"
        }
        $who = 'every user of the request'
        if ($PSBoundParameters.ContainsKey('UserId')) {
            $body['userIds'] = @($UserId)
            $who = @($UserId) -join ', '
        }
        if ($PSBoundParameters.ContainsKey('Message')) {
            $body['message'] = $Message
        }
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("License request '$RequestId'", "Approve it: assign $who a license of $from")) {
            return
        }
        $splatRest = @{
            Method        = 'POST'
            Path          = '/v1.0/licenseRequests/{requestId}/approve'
            PathParameter = @{ requestId = $RequestId }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to approve license request '$RequestId'"
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
