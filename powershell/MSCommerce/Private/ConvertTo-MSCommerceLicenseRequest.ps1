function ConvertTo-MSCommerceLicenseRequest {
    <#
    .SYNOPSIS
        Turns a license request of the service's answer into an MSCommerce.LicenseRequest object.

    .DESCRIPTION
        Keeps the service's fields under PowerShell names, with RequestId (so that the object binds to the
        -RequestId parameter of Get-, Approve-, Deny- and Send-MSCommerceLicenseRequest through the pipeline),
        the requester as its sign-in name (Requester) with RequesterName and RequesterId beside it, as
        MSCommerce.Subscription does for its purchaser, the users as MSCommerce.LicenseRequestUser objects, and
        times as UTC DateTime values. A field the service leaves out (answeredAt, answerMessage and
        subscriptionId of a pending request) stays $null. AnsweredBy is who answered as the service names them:
        a person's sign-in name, an application's name (a user object, should the service give one, gives its
        sign-in name).

    .PARAMETER InputObject
        One license request as the service answers it.

    .EXAMPLE
        ConvertTo-MSCommerceLicenseRequest -InputObject $answer

        Converts one license request.

    .OUTPUTS
        MSCommerce.LicenseRequest.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.LicenseRequest')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [psobject]$InputObject
    )

    process {
        $requester = $null
        $requesterName = $null
        $requesterId = $null
        if ($null -ne $InputObject.requester) {
            $requester = [string]$InputObject.requester.userPrincipalName
            $requesterName = [string]$InputObject.requester.displayName
            $requesterId = [string]$InputObject.requester.id
        }
        $answeredBy = $null
        if ($null -ne $InputObject.answeredBy) {
            if ($null -ne $InputObject.answeredBy.userPrincipalName) {
                $answeredBy = [string]$InputObject.answeredBy.userPrincipalName
            }
            else {
                $answeredBy = [string]$InputObject.answeredBy
            }
        }
        $users = @()
        if ($null -ne $InputObject.users) {
            $users = @($InputObject.users | ForEach-Object -Process {
                    [pscustomobject]@{
                        PSTypeName        = 'MSCommerce.LicenseRequestUser'
                        UserId            = [string]$_.id
                        DisplayName       = [string]$_.displayName
                        UserPrincipalName = [string]$_.userPrincipalName
                        Outcome           = [string]$_.outcome
                    }
                })
        }
        $subscriptionId = $null
        if (-not [string]::IsNullOrEmpty([string]$InputObject.subscriptionId)) {
            $subscriptionId = [string]$InputObject.subscriptionId
        }
        [pscustomobject]@{
            PSTypeName     = 'MSCommerce.LicenseRequest'
            RequestId      = [string]$InputObject.id
            ProductId      = [string]$InputObject.productId
            ProductName    = [string]$InputObject.productName
            Scope          = [string]$InputObject.scope
            Requester      = $requester
            RequesterName  = $requesterName
            RequesterId    = $requesterId
            Users          = $users
            Message        = $InputObject.message
            Status         = [string]$InputObject.status
            CreatedAt      = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.createdAt
            AnsweredAt     = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.answeredAt
            AnsweredBy     = $answeredBy
            AnswerMessage  = $InputObject.answerMessage
            SubscriptionId = $subscriptionId
        }
    }
}
