function Get-MSCommerceLicenseRequest {
    <#
    .SYNOPSIS
        Lists the license requests of the organization, reads some by ID, or lists the caller's own.

    .DESCRIPTION
        A user whom the policy does not let buy a product asks an administrator for a license instead
        (New-MSCommerceLicenseRequest); these requests wait until an administrator approves or denies them.

        Without -RequestId, calls GET /v1.0/licenseRequests?status=... and follows nextLink page after page: one
        MSCommerce.LicenseRequest object per request (product, requester, the users asked for, status, when),
        written as each page arrives. -Status Pending keeps the requests still to answer, Completed those
        approved or denied, All (the default) both. Needs Global Administrator, License Administrator or Global
        Reader.

        With -RequestId (or objects piped in that have a RequestId or Id property), calls
        GET /v1.0/licenseRequests/{requestId} for each one (the same readers, and the request's requester); a
        request that cannot be read (LicenseRequestNotFound) is reported as a non-terminating error and the next
        one is still read.

        With -Mine, calls GET /v1.0/me/licenseRequests: the requests the signed-in user made, whatever their
        status. Any signed-in user may call it.

        The objects bind by property name (RequestId) to Approve-MSCommerceLicenseRequest,
        Deny-MSCommerceLicenseRequest and Send-MSCommerceLicenseRequest.

    .PARAMETER Status
        Pending (not answered yet), Completed (approved or denied) or All (the default).

    .PARAMETER RequestId
        One or more request IDs to read. Binds from the RequestId property of piped objects, or from their Id
        property (the service's own field name).

    .PARAMETER Mine
        Lists the signed-in user's own requests instead of the organization's.

    .PARAMETER First
        Stops the list after this many requests.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceLicenseRequest -Status Pending

        Lists the requests still waiting for an answer.

    .EXAMPLE
        Get-MSCommerceLicenseRequest -Status Pending | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Select-Object -ExpandProperty Users

        Lists every user who waits for a Power BI Pro license, with the outcome for each.

    .EXAMPLE
        Get-MSCommerceLicenseRequest -Mine | Format-Table -Property ProductName, Status, AnsweredAt, AnswerMessage

        Shows the signed-in user's own requests and what the administrator answered.

    .INPUTS
        System.String. Request IDs, by property name (RequestId, or Id).

    .OUTPUTS
        MSCommerce.LicenseRequest. Properties: RequestId, ProductId, ProductName, Scope (product or OfferType),
        Requester (sign-in name), RequesterName, RequesterId, Users (MSCommerce.LicenseRequestUser: UserId,
        DisplayName, UserPrincipalName, Outcome), Message, Status (Pending, Approved, Denied), CreatedAt,
        AnsweredAt (UTC DateTime), AnsweredBy (the sign-in name of who answered), AnswerMessage, SubscriptionId
        (the central subscription an approval's licenses came from).
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('MSCommerce.LicenseRequest')]
    param(
        [Parameter(ParameterSetName = 'List')]
        [ValidateSet('Pending', 'Completed', 'All')]
        [string]$Status = 'All',

        # A piped object binds by a property named RequestId, else by one named like an alias, Id (the service's own
        # field, in any case): PowerShell's src/System.Management.Automation/engine/CmdletParameterBinderController.cs,
        # BindValueFromPipelineByPropertyName, looks the parameter's name up first, then each alias.
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ById', ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [ValidateNotNullOrEmpty()]
        [string[]]$RequestId,

        [Parameter(Mandatory, ParameterSetName = 'Mine')]
        [switch]$Mine,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$First,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if ($Mine) {
            $splatMine = @{
                Method         = 'GET'
                Path           = '/v1.0/me/licenseRequests'
                FollowNextLink = $true
                Token          = $Token
                ErrorContext   = 'Failed to retrieve your license requests'
            }
            try {
                Invoke-MSCommerceRestMethod @splatMine | ConvertTo-MSCommerceLicenseRequest
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
            return
        }

        if ($PSCmdlet.ParameterSetName -eq 'List') {
            # The service's names of the filters.
            $wire = @{ Pending = 'pending'; Completed = 'completed'; All = 'all' }
            $query = @{ status = $wire[$Status] }
            if ($First -gt 0 -and $First -le 1000) {
                $query['top'] = $First
            }
            $splatList = @{
                Method         = 'GET'
                Path           = '/v1.0/licenseRequests'
                Query          = $query
                FollowNextLink = $true
                First          = $First
                Token          = $Token
                ErrorContext   = 'Failed to retrieve license requests'
            }
            try {
                # A pipeline, not foreach: objects leave as each page arrives.
                Invoke-MSCommerceRestMethod @splatList | ConvertTo-MSCommerceLicenseRequest
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
            return
        }

        foreach ($id in $RequestId) {
            $splatOne = @{
                Method        = 'GET'
                Path          = '/v1.0/licenseRequests/{requestId}'
                PathParameter = @{ requestId = $id }
                Token         = $Token
                ErrorContext  = "Failed to retrieve license request '$id'"
                TargetObject  = $id
            }
            try {
                Invoke-MSCommerceRestMethod @splatOne | ConvertTo-MSCommerceLicenseRequest
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
        }
    }
}
