function New-MSCommerceLicenseRequest {
    <#
    .SYNOPSIS
        Asks the organization's administrators for a license of a product the signed-in user may not buy.

    .DESCRIPTION
        Calls POST /v1.0/me/licenseRequests with {"productId" or "offerType", "message", "userIds"} (the last two
        only when given): a request of the signed-in user, for themselves and up to 19 other users of the
        organization, which a Global or License Administrator approves or denies
        (Approve-MSCommerceLicenseRequest, Deny-MSCommerceLicenseRequest); the users are emailed the answer.
        Writes the new MSCommerce.LicenseRequest, Pending.

        The service refuses a request it would not act on, and the error's ErrorId says why:
        LicenseRequestNotNeeded (the policy lets the user buy the product: New-MSCommercePurchase),
        LicenseRequestExists (this user has an open request for this product already),
        OrganizationRequestProcess (the organization takes requests elsewhere: the message carries its text and
        link; Get-MSCommerceLicenseRequestSetting shows them too), OnlyUsersRequest (an application signed in:
        only people request licenses). Each refusal concerns one product: it is a non-terminating error and the
        next piped product is still requested.

        Products piped in bind by their ProductId (Test-MSCommerceAcquisition's decisions, the policy list).
        -WhatIf shows the request and sends nothing.

    .PARAMETER ProductId
        The product, current or old ID. Binds from piped objects by property name.

    .PARAMETER OfferType
        A third-party offer type instead of a product: SaaS, POWERBIVISUALS, DYNAMICSCE or DYNAMICSBC.

    .PARAMETER Message
        Why the license is needed, up to 1000 characters; the administrators read it with the request.

    .PARAMETER UserId
        Other users of the organization to include (their object IDs, 1 to 19), for example a team. The signed-in
        user is always included.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        New-MSCommerceLicenseRequest -ProductId 'CFQ7TTC0H9MP' -Message 'I build the sales reports.'

        Asks for a Power BI Pro license for the signed-in user.

    .EXAMPLE
        Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0H9MP' | Where-Object -Property LicenseRequestPossible | New-MSCommerceLicenseRequest -UserId $bob, $carol -Message 'The three of us share the sales dashboards.'

        Asks for Power BI Pro for the signed-in user, Bob and Carol, only if the policy does not let the user buy
        it (the decision's LicenseRequestPossible).

    .INPUTS
        System.String. ProductId, by property name.

    .OUTPUTS
        MSCommerce.LicenseRequest. The new request.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Product')]
    [OutputType('MSCommerce.LicenseRequest')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Product', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$ProductId,

        [Parameter(Mandatory, ParameterSetName = 'OfferType')]
        [ValidateSet('SaaS', 'POWERBIVISUALS', 'DYNAMICSCE', 'DYNAMICSBC')]
        [string]$OfferType,

        [Parameter()]
        [ValidateLength(1, 1000)]
        [string]$Message,

        [Parameter()]
        [ValidateCount(1, 19)]
        [string[]]$UserId,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        $body = @{}
        $target = $ProductId
        if ($PSCmdlet.ParameterSetName -eq 'OfferType') {
            $body['offerType'] = $OfferType
            $target = $OfferType
        }
        else {
            $body['productId'] = $ProductId
        }
        $action = 'Ask the administrators for a license for you'
        if ($PSBoundParameters.ContainsKey('UserId')) {
            $body['userIds'] = @($UserId)
            $action += " and $(@($UserId) -join ', ')"
        }
        if ($PSBoundParameters.ContainsKey('Message')) {
            $body['message'] = $Message
        }
        if (-not $PSCmdlet.ShouldProcess("License request for '$target'", $action)) {
            return
        }
        $splatRest = @{
            Method       = 'POST'
            Path         = '/v1.0/me/licenseRequests'
            Body         = $body
            Token        = $Token
            ErrorContext = "Failed to request a license of '$target'"
            TargetObject = $target
        }
        try {
            Invoke-MSCommerceRestMethod @splatRest | ConvertTo-MSCommerceLicenseRequest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
